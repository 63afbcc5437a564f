package io.activemqha.webhook.server;

import io.activemqha.common.Annotations;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.server.tls.DevCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code self-test}: sends a webhook the requests an API server sends (an injected pod, a pod left alone, a denied
 * override, a malformed body, the probes and a scrape) over HTTP/2 and HTTP/1.1 with TLS, checking every answer. The
 * webhook is started in this process on a loopback port with a throwaway certificate, or is an already running one
 * ({@code --target}).
 *
 * <p>It proves an image works without a cluster, and it drives the launcher's class-data-sharing training run: a
 * {@code serve} process answers a {@code self-test --target} process, so the archive holds what a serving webhook
 * loads and none of the client's classes.
 */
@Command(name = "self-test", mixinStandardHelpOptions = true,
        description = "Starts the webhook on 127.0.0.1 with a throwaway self-signed certificate and RBAC provisioning off "
                + "(or takes a running one, --target), sends it AdmissionReviews (inject, leave alone, deny an invalid "
                + "override, malformed JSON) and GETs /healthz, /readyz and /metrics over HTTP/2 and HTTP/1.1, and "
                + "checks every answer. Needs no cluster.",
        footer = {"", "Exit codes: 0 every answer as expected, 1 a check failed (each failure is printed), 2 invalid options."})
public final class SelfTestCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String UID = "00000000-0000-4000-8000-000000000000";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", paramLabel = "URL",
            description = "Test this running webhook (https://HOST:PORT) instead of starting one; needs --ca-file.")
    URI target;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "PEM CA certificate that the target's certificate chains to.")
    Path caFile;

    @Option(names = "--server-name", paramLabel = "NAME",
            description = "TLS server name sent and verified (a DNS name of the target's certificate). Default: the "
                + "target's host, or localhost for the webhook started here.")
    String serverName;

    @Override
    public Integer call() throws Exception {
        if (target != null) {
            if (!"https".equals(target.getScheme()) || target.getHost() == null || target.getPort() < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--target " + target + ": expected https://HOST:PORT");
            }
            if (caFile == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target needs --ca-file");
            }
            if (!Files.isReadable(caFile)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--ca-file " + caFile + ": no readable file");
            }
            Vertx vertx = Vertx.vertx();
            try {
                return report(check(vertx, target.getHost(), target.getPort(), caFile,
                        serverName != null ? serverName : target.getHost()));
            } finally {
                await(vertx.close());
            }
        }
        return report(checkInProcess());
    }

    private List<String> checkInProcess() throws Exception {
        ServeConfig config = new ServeConfig(new ServerSettings("127.0.0.1", 0, 3L << 20),
                new ServeConfig.TlsSettings(null, Duration.ofSeconds(5)),
                new ServeConfig.RbacSettings(false, Duration.ofSeconds(30), Duration.ofSeconds(3)),
                InjectorConfig.defaults());
        Vertx vertx = Vertx.vertx();
        WebhookApplication application = new WebhookApplication(vertx, config, null);
        try {
            int port = await(application.start());
            DevCertificate certificate = application.devCertificate();
            return check(vertx, "127.0.0.1", port, certificate.caCertificate(), serverName != null ? serverName : "localhost");
        } finally {
            await(application.stop(Duration.ofSeconds(5)));
            await(vertx.close());
        }
    }

    /** Every check over each protocol; the failures. */
    private static List<String> check(Vertx vertx, String host, int port, Path ca, String name) throws Exception {
        List<String> failures = new ArrayList<>();
        for (HttpVersion version : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                    .setProtocolVersion(version)
                    .setUseAlpn(true)
                    .setSsl(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
            try {
                new Checks(client, host, port, name, version, failures).run();
            } finally {
                await(client.close());
            }
        }
        return failures;
    }

    private static int report(List<String> failures) {
        if (failures.isEmpty()) {
            System.out.println("self-test passed");
            return 0;
        }
        failures.forEach(failure -> System.out.println("FAILED " + failure));
        return 1;
    }

    /** One protocol's round of requests against the running webhook. */
    private record Checks(HttpClient client, String host, int port, String serverName, HttpVersion version,
                          List<String> failures) {
        void run() throws Exception {
            JsonObject injected = review(Map.of(Annotations.ENABLED, "true"));
            expectReview("annotated pod", injected, 200, response -> response.getBoolean("allowed", false)
                    && "JSONPatch".equals(response.getString("patchType"))
                    && decodedPatch(response).contains("\"/metadata/annotations/" + Annotations.INJECTED.replace("/", "~1") + "\""));
            expectReview("pod without the annotation", review(Map.of()), 200,
                    response -> response.getBoolean("allowed", false) && response.getString("patch") == null);
            expectReview("invalid override", review(Map.of(Annotations.ENABLED, "true", Annotations.HEALTH_PORT, "99999")),
                    200, response -> !response.getBoolean("allowed", true)
                            && response.getJsonObject("status", new JsonObject()).getString("message", "")
                                    .contains(Annotations.HEALTH_PORT));
            expect("malformed JSON", HttpMethod.POST, Endpoints.MUTATE, Buffer.buffer("{\"kind\":"), 400, body -> true);
            expect(Endpoints.HEALTHZ, HttpMethod.GET, Endpoints.HEALTHZ, null, 200, body -> true);
            expect(Endpoints.READYZ, HttpMethod.GET, Endpoints.READYZ, null, 200, body -> true);
            expect(Endpoints.METRICS, HttpMethod.GET, Endpoints.METRICS, null, 200,
                    body -> body.contains("activemq_ha_webhook_"));
        }

        private void expectReview(String what, JsonObject review, int status, Predicate<JsonObject> response)
                throws Exception {
            expect(what, HttpMethod.POST, Endpoints.MUTATE, review.toBuffer(), status, body -> {
                JsonObject answer = new JsonObject(body).getJsonObject("response", new JsonObject());
                return UID.equals(answer.getString("uid")) && response.test(answer);
            });
        }

        private void expect(String what, HttpMethod method, String path, Buffer body, int status,
                            Predicate<String> check) throws Exception {
            RequestOptions request = new RequestOptions()
                    .setMethod(method)
                    .setServer(SocketAddress.inetSocketAddress(port, host))
                    .setHost(serverName)
                    .setPort(port)
                    .setURI(path)
                    .putHeader("Content-Type", "application/json");
            String label = version.alpnName() + " " + what;
            try {
                Answer answer = await(client.request(request)
                        .compose(r -> body == null ? r.send() : r.send(body))
                        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.version(), b.toString(StandardCharsets.UTF_8)))));
                if (answer.version() != version) {
                    failures.add(label + ": answered over " + answer.version());
                } else if (answer.status() != status || !check.test(answer.body())) {
                    failures.add(label + ": HTTP " + answer.status() + " " + answer.body());
                } else {
                    System.out.println("ok " + label + ": HTTP " + answer.status());
                }
            } catch (Exception e) {
                failures.add(label + ": " + e);
            }
        }
    }

    private record Answer(int status, HttpVersion version, String body) {
    }

    /** An AdmissionReview v1 of a ReplicaSet's broker pod, as the API server sends it. */
    private static JsonObject review(Map<String, String> annotations) {
        JsonObject annotationsObject = new JsonObject();
        annotations.forEach(annotationsObject::put);
        JsonObject pod = new JsonObject()
                .put("apiVersion", "v1")
                .put("kind", "Pod")
                .put("metadata", new JsonObject()
                        .put("generateName", "self-test-broker-")
                        .put("namespace", "self-test")
                        .put("labels", new JsonObject().put("app.kubernetes.io/name", "activemq"))
                        .put("annotations", annotationsObject))
                .put("spec", new JsonObject().put("containers", new JsonArray().add(new JsonObject()
                        .put("name", "activemq")
                        .put("image", "apache/activemq-classic:6.1.7")
                        .put("ports", new JsonArray().add(new JsonObject().put("name", "openwire").put("containerPort", 61616))))));
        JsonObject group = new JsonObject().put("group", "").put("version", "v1");
        return new JsonObject()
                .put("apiVersion", "admission.k8s.io/v1")
                .put("kind", "AdmissionReview")
                .put("request", new JsonObject()
                        .put("uid", UID)
                        .put("kind", group.copy().put("kind", "Pod"))
                        .put("resource", group.copy().put("resource", "pods"))
                        .put("namespace", "self-test")
                        .put("operation", "CREATE")
                        .put("object", pod));
    }

    private static String decodedPatch(JsonObject response) {
        String patch = response.getString("patch");
        return patch == null ? "" : new String(Base64.getDecoder().decode(patch), StandardCharsets.UTF_8);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
