package io.activemqha.e2e;

import io.activemqha.common.InstallNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** The webhook jar running {@code serve} as a local process on 127.0.0.1, as its Deployment would run it. */
public final class WebhookProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final ChildProcess process;
    private final int port;

    private WebhookProcess(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * How to run it.
     *
     * @param jar          the webhook jar
     * @param port         the HTTPS port on 127.0.0.1
     * @param tls          the mounted TLS Secret (tls.crt, tls.key, ca.crt)
     * @param kubeconfig   credentials of the webhook's ServiceAccount, for RBAC provisioning
     * @param labelerImage the image the injected sidecar names (never pulled: no kubelet)
     * @param log          where its output goes
     */
    public record Settings(Path jar, int port, SecretVolume tls, Path kubeconfig, String labelerImage, Path log) {
    }

    /** Starts it and waits until {@code /readyz} answers 200 over TLS verified against the Secret's ca.crt. */
    public static WebhookProcess start(Settings settings) {
        ChildProcess process = ChildProcess.start("webhook", List.of(ProductJars.java(), "-jar", settings.jar().toString(),
                "serve",
                "--host=127.0.0.1",
                "--port=" + settings.port(),
                "--tls-cert=" + settings.tls().file("tls.crt"),
                "--tls-key=" + settings.tls().file("tls.key"),
                "--labeler-image=" + settings.labelerImage()),
                Map.of("KUBECONFIG", settings.kubeconfig().toString()), settings.log());
        WebhookProcess webhook = new WebhookProcess(process, settings.port());
        try {
            HttpClient https = TrustingHttpClient.trusting(settings.tls().file("ca.crt"));
            HttpRequest ready = HttpRequest.newBuilder(URI.create(webhook.baseUrl() + "/readyz"))
                    .timeout(Duration.ofSeconds(5)).build();
            Await.untilTrue("webhook /readyz on port " + settings.port(), STARTUP, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the webhook exited during startup\n" + process.logTail(40));
                }
                return webhook.answers(https, ready);
            }, () -> process.logTail(40));
            return webhook;
        } catch (RuntimeException e) {
            process.close();
            throw e;
        }
    }

    /** {@code https://127.0.0.1:<port>}. */
    public String baseUrl() {
        return "https://127.0.0.1:" + port;
    }

    /** The URL the MutatingWebhookConfiguration points the API server at. */
    public String mutateUrl() {
        return baseUrl() + InstallNames.WEBHOOK_PATH;
    }

    /**
     * The certificate the webhook presents right now, from a TLS handshake verified against {@code caBundle} (the
     * same trust the API server has from the caBundle).
     */
    public X509Certificate servingCertificate(Path caBundle) {
        SSLSocketFactory factory = TrustingHttpClient.tlsContext(caBundle).getSocketFactory();
        try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", port)) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new UncheckedIOException("TLS handshake with the webhook on port " + port + " failed", e);
        }
    }

    public int port() {
        return port;
    }

    public ChildProcess process() {
        return process;
    }

    private boolean answers(HttpClient https, HttpRequest request) {
        try {
            return https.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM (the webhook drains in-flight reviews), SIGKILL after a grace period. */
    @Override
    public void close() {
        process.close();
    }
}
