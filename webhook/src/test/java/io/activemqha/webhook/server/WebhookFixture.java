package io.activemqha.webhook.server;

import io.activemqha.certs.ServingCertificate;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.rbac.ApiClients;
import io.activemqha.webhook.server.tls.SecretVolume;
import io.activemqha.webhook.server.tls.TestPki;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real webhook ({@link WebhookApplication}) on 127.0.0.1 with a free port, serving a certificate from a
 * test CA out of a kubelet-style Secret volume, optionally provisioning RBAC against the fabric8 mock API server;
 * plus HTTPS clients that trust only the test CA.
 */
final class WebhookFixture implements AutoCloseable {
    static final String REVIEW_FIXTURE = "/server/replicaset-pod-review.json";
    /** More than one, so that the shared port, the per-instance reload and concurrency across loops are exercised. */
    static final int EVENT_LOOPS = 2;

    final Vertx vertx;
    final TestPki pki = new TestPki("webhook test CA");
    final SecretVolume volume;
    final KubernetesMockServer apiServer;
    final WebhookApplication application;
    final int port;
    ServingCertificate served;
    private final List<HttpClient> clients = new ArrayList<>();

    /** Builder-style knobs with the defaults most tests want. */
    record Options(boolean provisionRbac, Duration rbacTimeout, long maxBodyBytes, Duration reloadInterval) {
        static Options defaults() {
            return new Options(false, Duration.ofSeconds(3), 64 * 1024, Duration.ofMillis(100));
        }

        Options withRbac() {
            return new Options(true, rbacTimeout, maxBodyBytes, reloadInterval);
        }

        Options withRbacTimeout(Duration timeout) {
            return new Options(provisionRbac, timeout, maxBodyBytes, reloadInterval);
        }
    }

    WebhookFixture(Vertx vertx, Path secretDirectory, Options options) throws Exception {
        this.vertx = vertx;
        this.volume = new SecretVolume(secretDirectory);
        served = pki.issueLoopback();
        volume.publish(served);
        KubernetesClient client = null;
        if (options.provisionRbac()) {
            apiServer = new KubernetesMockServer(false);
            apiServer.init(InetAddress.getLoopbackAddress(), 0);
            try (KubernetesClient bootstrap = apiServer.createClient()) {
                client = ApiClients.create(vertx, bootstrap.getConfiguration(), Duration.ofSeconds(2));
            }
        } else {
            apiServer = null;
        }
        ServeConfig config = new ServeConfig(
                new ServerSettings("127.0.0.1", 0, options.maxBodyBytes(), EVENT_LOOPS),
                new ServeConfig.TlsSettings(volume.files(), options.reloadInterval()),
                new ServeConfig.RbacSettings(options.provisionRbac(), Duration.ofMinutes(10), options.rbacTimeout()),
                InjectorConfig.defaults());
        application = new WebhookApplication(vertx, config, client);
        port = await(application.start());
    }

    /** A client that trusts only the test CA and verifies the host name. */
    HttpClient client(HttpVersion version) {
        return client(version, new HttpClientOptions().setTrustOptions(new PemTrustOptions()
                .addCertValue(Buffer.buffer(pki.caPem()))));
    }

    HttpClient client(HttpVersion version, HttpClientOptions trust) {
        HttpClientOptions options = new HttpClientOptions(trust)
                .setSsl(true)
                .setVerifyHost(true)
                .setUseAlpn(true)
                .setProtocolVersion(version)
                .setDefaultHost("localhost")
                .setDefaultPort(port)
                .setConnectTimeout(10_000);
        HttpClient client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(20).setHttp2MaxSize(4));
        clients.add(client);
        return client;
    }

    /** One exchange as the client saw it. */
    record Reply(int status, String body, String contentType, HttpVersion version, String serverSerialHex,
                 String tlsProtocol) {
        JsonObject json() {
            return new JsonObject(body);
        }

        JsonObject response() {
            return json().getJsonObject("response");
        }
    }

    Future<Reply> send(HttpClient client, HttpMethod method, String path, Buffer body) {
        RequestOptions request = new RequestOptions().setMethod(method).setURI(path).setTimeout(30_000);
        if (body != null) {
            request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        }
        return client.request(request).compose(req -> {
            Future<io.vertx.core.http.HttpClientResponse> sent = body == null ? req.send() : req.send(body);
            return sent.compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString(StandardCharsets.UTF_8),
                    resp.getHeader(HttpHeaders.CONTENT_TYPE), resp.version(), serial(req.connection()),
                    req.connection().sslSession() == null ? null : req.connection().sslSession().getProtocol())));
        });
    }

    Future<Reply> post(HttpClient client, Buffer body) {
        return send(client, HttpMethod.POST, Endpoints.MUTATE, body);
    }

    Future<Reply> get(HttpClient client, String path) {
        return send(client, HttpMethod.GET, path, null);
    }

    /** Publishes a new leaf the way the kubelet does and returns it. */
    ServingCertificate rotate() throws IOException {
        served = pki.issueLoopback();
        volume.publish(served);
        return served;
    }

    static String serial(HttpConnection connection) {
        try {
            return ((X509Certificate) connection.peerCertificates().get(0)).getSerialNumber().toString(16);
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The realistic ReplicaSet pod review, with its uid and generateName replaced. */
    static JsonObject review(String uid, String namespace) {
        JsonObject review = new JsonObject(resource(REVIEW_FIXTURE));
        JsonObject request = review.getJsonObject("request");
        request.put("uid", uid).put("namespace", namespace);
        request.getJsonObject("object").getJsonObject("metadata").put("namespace", namespace);
        return review;
    }

    static String resource(String name) {
        try (InputStream in = WebhookFixture.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        for (HttpClient client : clients) {
            client.close();
        }
        try {
            await(application.stop(Duration.ofSeconds(1)));
        } finally {
            if (apiServer != null) {
                apiServer.destroy();
            }
        }
    }
}
