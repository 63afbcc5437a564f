package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.server.ServeConfig;
import io.activemqha.webhook.server.ServerSettings;
import io.activemqha.webhook.server.WebhookApplication;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The paths the manifests send traffic to are the ones the real webhook serves: its HTTPS server (on loopback, an
 * ephemeral port, its generated development certificate, no API access) answers the probes' paths and reviews the
 * example broker pod on the MutatingWebhookConfiguration's path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookServesManifestPathsTest {
    private final ObjectMapper json = new ObjectMapper();
    private Vertx vertx;
    private WebhookApplication application;
    private HttpClient client;
    private URI base;
    private Container container;
    private MutatingWebhookConfiguration configuration;
    private BrokerPods brokerPods;

    @BeforeAll
    void start() throws Exception {
        DeployTree tree = DeployTree.fromBuild();
        Rendered install = tree.render(tree.paths().install());
        container = install.only(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        configuration = install.only(MutatingWebhookConfiguration.class);
        InjectorConfig injector = WebhookFlags.of(container).injector();
        brokerPods = new BrokerPods(tree.render(tree.paths().example()).only(Deployment.class), new AdmissionReviewer(injector));

        vertx = Vertx.vertx();
        application = new WebhookApplication(vertx, new ServeConfig(
                new ServerSettings("127.0.0.1", 0, 3L * 1024 * 1024),
                new ServeConfig.TlsSettings(null, Duration.ofSeconds(5)),
                new ServeConfig.RbacSettings(false, Duration.ofMinutes(10), Duration.ofSeconds(3)),
                injector), null);
        int port = application.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        base = URI.create("https://127.0.0.1:" + port);
        client = HttpClient.newBuilder().sslContext(TrustedCa.sslContext(application.devCertificate().caCertificate()))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() throws Exception {
        if (application != null) {
            application.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theProbePathsAnswer200() throws Exception {
        for (String path : new String[] {container.getReadinessProbe().getHttpGet().getPath(),
                container.getLivenessProbe().getHttpGet().getPath()}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        }
    }

    @Test
    void theMutatingWebhooksPathReviewsTheExamplePod() throws Exception {
        String path = configuration.getWebhooks().get(0).getClientConfig().getService().getPath();
        String review = brokerPods.admissionReview(brokerPods.created());
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST %s: %s", path, response.body()).isEqualTo(200);
        JsonNode answer = json.readTree(response.body());
        assertThat(answer.path("response").path("uid").asString())
                .isEqualTo(json.readTree(review).path("request").path("uid").asString());
        assertThat(answer.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(answer.path("response").path("patchType").asString()).isEqualTo("JSONPatch");
    }
}
