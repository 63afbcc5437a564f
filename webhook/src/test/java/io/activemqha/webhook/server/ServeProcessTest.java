package io.activemqha.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.webhook.WebhookMain;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code serve} as a real JVM process: development mode end to end, graceful SIGTERM, a port already taken. */
class ServeProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on https://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern CA = Pattern.compile("curl --cacert (\\S+)");

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void devModeServesASelfSignedCertificateAndStopsGracefullyOnSigterm() throws Exception {
        Process process = start("serve", "--dev", "--host=127.0.0.1", "--port=0", "--provision-rbac=false");
        Output output = new Output(process);
        String port = output.await(LISTENING);
        Path ca = Path.of(output.await(CA));
        assertThat(output.text()).contains("DEVELOPMENT MODE").contains("THROWAWAY SELF-SIGNED");

        Vertx vertx = Vertx.vertx();
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                    .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(true)
                    .setDefaultHost("localhost").setDefaultPort(Integer.parseInt(port))
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(Files.readString(ca)))));
            String ready = WebhookFixture.await(client.request(HttpMethod.GET, Endpoints.READYZ)
                    .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))));
            assertThat(ready).isEqualTo("200 ready\n");
            JsonObject answer = WebhookFixture.await(client.request(HttpMethod.POST, Endpoints.MUTATE)
                    .compose(req -> req.send(WebhookFixture.review("uid-process", "payments").toBuffer())
                            .compose(resp -> resp.body().map(JsonObject::new))));
            assertThat(answer.getJsonObject("response").getString("uid")).isEqualTo("uid-process");
            assertThat(answer.getJsonObject("response").getString("patchType")).isEqualTo("JSONPatch");
        } finally {
            WebhookFixture.await(vertx.close());
        }
        output.await(Pattern.compile("admission uid=uid-process .*outcome=injected"));

        // ProcessHandle.destroy sends SIGTERM without closing our end of the pipes (Process.destroy closes them).
        assertThat(process.toHandle().destroy()).isTrue();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("SIGTERM").isEqualTo(143);
        output.join();
        assertThat(output.text()).contains("stopping: letting in-flight reviews finish");
        assertThat(ca.getParent()).as("the throwaway key material is deleted").doesNotExist();
    }

    @Test
    void aPortAlreadyInUseExitsWith1AndSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process process = start("serve", "--dev", "--host=127.0.0.1", "--port=" + taken.getLocalPort(),
                    "--provision-rbac=false");
            Output output = new Output(process);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            output.join();
            assertThat(process.exitValue()).as(output.text()).isEqualTo(1);
            assertThat(output.text()).contains("the webhook failed to start on 127.0.0.1:" + taken.getLocalPort())
                    .containsIgnoringCase("address already in use");
        }
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx256m", WebhookMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        return process;
    }

    /** Collects a process's output on a thread and waits for lines. */
    private static final class Output {
        private final StringBuffer text = new StringBuffer();
        private final Thread reader;

        Output(Process process) {
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        synchronized (text) {
                            text.append(line).append('\n');
                            text.notifyAll();
                        }
                    }
                } catch (IOException e) {
                    text.append("[output read failed: ").append(e).append("]\n");
                }
            }, "process-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** The first group of the first match of {@code pattern}, waiting up to a minute for it to appear. */
        String await(Pattern pattern) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            synchronized (text) {
                while (true) {
                    Matcher m = pattern.matcher(text);
                    if (m.find()) {
                        return m.groupCount() > 0 ? m.group(1) : m.group();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("no match for " + pattern + " in:\n" + text);
                    }
                    text.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                }
            }
        }

        void join() throws InterruptedException {
            reader.join(10_000);
        }

        String text() {
            return text.toString();
        }
    }
}
