package io.activemqha.webhook.server;

import static io.activemqha.webhook.server.WebhookFixture.await;
import static io.activemqha.webhook.server.WebhookFixture.review;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.rbac.LabelerRbac;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The webhook over real TLS on loopback: the admission path, bad input, health, readiness and metrics. */
@ExtendWith(VertxExtension.class)
class WebhookHttpTest {
    private static final String QUERY = "?fieldManager=" + LabelerRbac.FIELD_MANAGER + "&force=true";

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void injectsAReplicaSetPodAndProvisionsItsNamespaceOnce(HttpVersion version, Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults().withRbac())) {
            expectApplies(webhook, "payments");
            HttpClient client = webhook.client(version);

            WebhookFixture.Reply reply = await(webhook.post(client, review("uid-1", "payments").toBuffer()));

            assertThat(reply.version()).isEqualTo(version);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.contentType()).startsWith("application/json");
            JsonObject response = reply.response();
            assertThat(reply.json().getString("apiVersion")).isEqualTo("admission.k8s.io/v1");
            assertThat(reply.json().getString("kind")).isEqualTo("AdmissionReview");
            assertThat(response.getString("uid")).isEqualTo("uid-1");
            assertThat(response.getBoolean("allowed")).isTrue();
            assertThat(response.getString("patchType")).isEqualTo("JSONPatch");
            JsonArray patch = new JsonArray(Buffer.buffer(Base64.getDecoder().decode(response.getString("patch"))));
            assertThat(patch.stream().map(op -> ((JsonObject) op).getString("path")))
                    .anyMatch(path -> path.startsWith("/spec/initContainers") || path.startsWith("/spec/containers"))
                    .anyMatch(path -> path.contains("serviceAccountName"));
            assertThat(patch.encode()).contains(LabelerContract.CONTAINER_NAME);

            List<RecordedRequest> calls = recorded(webhook);
            assertThat(calls).extracting(RecordedRequest::getPath).containsExactly(
                    "/api/v1/namespaces/payments/serviceaccounts/" + RbacNames.LABELER_SERVICE_ACCOUNT + QUERY,
                    "/apis/rbac.authorization.k8s.io/v1/namespaces/payments/rolebindings/"
                            + RbacNames.LABELER_ROLE_BINDING + QUERY);

            await(webhook.post(client, review("uid-2", "payments").toBuffer()));
            assertThat(webhook.apiServer.getRequestCount()).as("cached: no API call for the second pod").isEqualTo(2);
        }
    }

    @Test
    void fiveHundredConcurrentReviewsAreEachAnsweredWithTheirOwnUid(Vertx vertx, @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults().withRbac())) {
            expectApplies(webhook, "payments");
            HttpClient h2 = webhook.client(HttpVersion.HTTP_2);
            HttpClient h1 = webhook.client(HttpVersion.HTTP_1_1);
            List<Future<WebhookFixture.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                replies.add(webhook.post(i % 2 == 0 ? h2 : h1, review("uid-" + i, "payments").toBuffer()));
            }
            await(Future.all(replies));

            for (int i = 0; i < 500; i++) {
                WebhookFixture.Reply reply = replies.get(i).result();
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.version()).isEqualTo(i % 2 == 0 ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1);
                assertThat(reply.response().getString("uid")).isEqualTo("uid-" + i);
                assertThat(reply.response().getBoolean("allowed")).isTrue();
                assertThat(reply.response().getString("patchType")).isEqualTo("JSONPatch");
            }
            assertThat(webhook.apiServer.getRequestCount())
                    .as("500 pods of one namespace share one provisioning (two applies)").isEqualTo(2);
            assertThat(counter(await(webhook.get(h1, Endpoints.METRICS)).body(), "injected")).isEqualTo(500.0);
        }
    }

    @Test
    void rbacFailureDeniesThePodWithTheApiError(Vertx vertx, @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults().withRbac())) {
            String forbidden = "rolebindings.rbac.authorization.k8s.io \"activemq-leader-labeler\" is forbidden: user"
                    + " \"system:serviceaccount:activemq-ha:activemq-ha-webhook\" is attempting to grant RBAC permissions"
                    + " not currently held";
            webhook.apiServer.expect().patch()
                    .withPath("/api/v1/namespaces/locked/serviceaccounts/" + RbacNames.LABELER_SERVICE_ACCOUNT + QUERY)
                    .andReturn(200, LabelerRbac.serviceAccount("locked", RbacNames.LABELER_SERVICE_ACCOUNT)).always();
            webhook.apiServer.expect().patch()
                    .withPath("/apis/rbac.authorization.k8s.io/v1/namespaces/locked/rolebindings/"
                            + RbacNames.LABELER_ROLE_BINDING + QUERY)
                    .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                            .withMessage(forbidden).build()).always();
            HttpClient client = webhook.client(HttpVersion.HTTP_2);

            WebhookFixture.Reply reply = await(webhook.post(client, review("uid-locked", "locked").toBuffer()));

            assertThat(reply.status()).isEqualTo(200);
            JsonObject response = reply.response();
            assertThat(response.getString("uid")).isEqualTo("uid-locked");
            assertThat(response.getBoolean("allowed")).isFalse();
            assertThat(response.getString("patch")).isNull();
            assertThat(response.getJsonObject("status").getString("message"))
                    .contains("namespace \"locked\"")
                    .contains("HTTP 403 Forbidden: " + forbidden);
            assertThat(counter(await(webhook.get(client, Endpoints.METRICS)).body(), "denied")).isEqualTo(1.0);

            await(webhook.post(client, review("uid-retry", "locked").toBuffer()));
            assertThat(webhook.apiServer.getRequestCount()).as("failures are not cached: the retry applies again")
                    .isEqualTo(4);
        }
    }

    @Test
    void aSlowApiServerGetsThePodDeniedBeforeTheApiServersOwnWebhookTimeout(Vertx vertx, @TempDir Path dir)
            throws Exception {
        WebhookFixture.Options options = WebhookFixture.Options.defaults().withRbac()
                .withRbacTimeout(Duration.ofMillis(500));
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, options)) {
            webhook.apiServer.expect().patch().delay(5, TimeUnit.SECONDS)
                    .withPath("/api/v1/namespaces/slow/serviceaccounts/" + RbacNames.LABELER_SERVICE_ACCOUNT + QUERY)
                    .andReturn(200, LabelerRbac.serviceAccount("slow", RbacNames.LABELER_SERVICE_ACCOUNT)).always();

            WebhookFixture.Reply reply = await(webhook.post(webhook.client(HttpVersion.HTTP_2),
                    review("uid-slow", "slow").toBuffer()));

            assertThat(reply.response().getString("uid")).isEqualTo("uid-slow");
            assertThat(reply.response().getBoolean("allowed")).isFalse();
            assertThat(reply.response().getJsonObject("status").getString("message"))
                    .endsWith("namespace \"slow\" for the injected leader-labeler (the pod's controller retries):"
                            + " the Kubernetes API server did not answer within 500ms");
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void stoppingLetsAnInFlightReviewFinishAndThenRefusesConnections(HttpVersion version, Vertx vertx,
                                                                      @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults().withRbac())) {
            webhook.apiServer.expect().patch().delay(1, TimeUnit.SECONDS)
                    .withPath("/api/v1/namespaces/drain/serviceaccounts/" + RbacNames.LABELER_SERVICE_ACCOUNT + QUERY)
                    .andReturn(200, LabelerRbac.serviceAccount("drain", RbacNames.LABELER_SERVICE_ACCOUNT)).always();
            webhook.apiServer.expect().patch()
                    .withPath("/apis/rbac.authorization.k8s.io/v1/namespaces/drain/rolebindings/"
                            + RbacNames.LABELER_ROLE_BINDING + QUERY)
                    .andReturn(200, LabelerRbac.roleBinding("drain", RbacNames.LABELER_SERVICE_ACCOUNT)).always();
            HttpClient client = webhook.client(version);
            Future<WebhookFixture.Reply> inFlight = webhook.post(client, review("uid-drain", "drain").toBuffer());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (webhook.apiServer.getRequestCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(inFlight.isComplete()).as("the review waits for the slow API server").isFalse();

            Future<Void> stopped = webhook.application.stop(Duration.ofSeconds(10));

            WebhookFixture.Reply reply = await(inFlight);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.response().getString("uid")).isEqualTo("uid-drain");
            assertThat(reply.response().getBoolean("allowed")).isTrue();
            await(stopped);
            assertThatThrownBy(() -> await(webhook.get(webhook.client(version), Endpoints.HEALTHZ)))
                    .hasMessageContaining("Connection refused");
        }
    }

    @Test
    void dryRunIsAnsweredWithoutTouchingTheApiServer(Vertx vertx, @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults().withRbac())) {
            JsonObject review = review("uid-dry", "payments");
            review.getJsonObject("request").put("dryRun", true);

            WebhookFixture.Reply reply = await(webhook.post(webhook.client(HttpVersion.HTTP_2), review.toBuffer()));

            assertThat(reply.response().getString("uid")).isEqualTo("uid-dry");
            assertThat(reply.response().getString("patchType")).isEqualTo("JSONPatch");
            assertThat(webhook.apiServer.getRequestCount()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void badInputGetsAPreciseErrorAndTheServerKeepsServing(HttpVersion version, Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            HttpClient client = webhook.client(version);
            JsonObject noRequest = review("x", "payments");
            noRequest.remove("request");
            JsonObject noUid = review("x", "payments");
            noUid.getJsonObject("request").remove("uid");

            assertError(await(webhook.post(client, Buffer.buffer("{\"kind\": \"AdmissionReview\", "))), 400,
                    "malformed JSON");
            assertError(await(webhook.post(client, Buffer.buffer("[1, 2]"))), 400, "not a JSON object");
            assertError(await(webhook.post(client, Buffer.buffer(""))), 400, "");
            assertError(await(webhook.post(client, noRequest.toBuffer())), 400, "no request");
            assertError(await(webhook.post(client, noUid.toBuffer())), 400, "no uid");
            assertError(await(webhook.get(client, Endpoints.MUTATE)), 405, "method GET is not allowed on /mutate: use POST");
            assertError(await(webhook.send(client, HttpMethod.PUT, Endpoints.MUTATE, noUid.toBuffer())), 405,
                    "use POST");
            assertError(await(webhook.send(client, HttpMethod.POST, Endpoints.HEALTHZ, Buffer.buffer("{}"))), 405,
                    "use GET");
            assertError(await(webhook.get(client, "/validate")), 404, "no such path /validate");
            assertError(await(webhook.post(client, oversized())), 413, "exceeds the limit of 65536 bytes");

            WebhookFixture.Reply after = await(webhook.post(client, review("uid-after", "payments").toBuffer()));
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.response().getString("uid")).isEqualTo("uid-after");
            String metrics = await(webhook.get(client, Endpoints.METRICS)).body();
            assertThat(counter(metrics, "error")).as("400s and the 413 on /mutate").isEqualTo(6.0);
            assertThat(counter(metrics, "injected")).isEqualTo(1.0);
        }
    }

    @Test
    void healthReadinessAndMetricsReflectWhatHappened(Vertx vertx, @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            HttpClient client = webhook.client(HttpVersion.HTTP_1_1);
            assertThat(await(webhook.get(client, Endpoints.HEALTHZ))).satisfies(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("ok\n");
            });
            assertThat(await(webhook.get(client, Endpoints.READYZ))).satisfies(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("ready\n");
            });
            String before = await(webhook.get(client, Endpoints.METRICS)).body();
            for (String outcome : List.of("injected", "skipped", "denied", "error")) {
                assertThat(counter(before, outcome)).as(outcome).isZero();
            }

            JsonObject notAnnotated = review("uid-skip", "payments");
            notAnnotated.getJsonObject("request").getJsonObject("object").getJsonObject("metadata")
                    .put("annotations", new JsonObject());
            JsonObject invalid = review("uid-deny", "payments");
            invalid.getJsonObject("request").getJsonObject("object").getJsonObject("metadata")
                    .put("annotations", new JsonObject().put("activemq-ha", "yes please"));
            await(webhook.post(client, review("uid-inject", "payments").toBuffer()));
            await(webhook.post(client, notAnnotated.toBuffer()));
            await(webhook.post(client, notAnnotated.copy().put("request",
                    notAnnotated.getJsonObject("request").copy().put("uid", "uid-skip-2")).toBuffer()));
            WebhookFixture.Reply denied = await(webhook.post(client, invalid.toBuffer()));
            assertThat(denied.response().getBoolean("allowed")).isFalse();
            await(webhook.post(client, Buffer.buffer("nonsense")));

            WebhookFixture.Reply scrape = await(webhook.get(client, Endpoints.METRICS));
            assertThat(scrape.contentType()).startsWith("text/plain");
            String after = scrape.body();
            assertThat(counter(after, "injected")).isEqualTo(1.0);
            assertThat(counter(after, "skipped")).isEqualTo(2.0);
            assertThat(counter(after, "denied")).isEqualTo(1.0);
            assertThat(counter(after, "error")).isEqualTo(1.0);
            assertThat(after).contains("activemq_ha_webhook_admission_duration_seconds_bucket{outcome=\"skipped\",le=\"0.005\"}")
                    .contains("activemq_ha_webhook_admission_duration_seconds_count{outcome=\"skipped\"} 2")
                    .contains("activemq_ha_webhook_certificate_expiry_timestamp_seconds "
                            + (double) webhook.served.certificate().getNotAfter().toInstant().getEpochSecond())
                    .contains("activemq_ha_webhook_certificate_reloads_total{result=\"applied\"} 0.0");
        }
    }

    private static void assertError(WebhookFixture.Reply reply, int status, String message) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.contentType()).startsWith("text/plain");
        assertThat(reply.body()).contains(message);
    }

    /** A syntactically valid AdmissionReview, padded past the 64 KiB limit of the fixture. */
    private static Buffer oversized() {
        JsonObject review = review("uid-big", "payments");
        review.getJsonObject("request").getJsonObject("object").getJsonObject("metadata").getJsonObject("annotations")
                .put("padding", "x".repeat(70 * 1024));
        return review.toBuffer();
    }

    static double counter(String scrape, String outcome) {
        Matcher m = Pattern.compile("^activemq_ha_webhook_admissions_total\\{outcome=\"" + outcome + "\"} (\\S+)$",
                Pattern.MULTILINE).matcher(scrape);
        assertThat(m.find()).as("series for outcome %s in\n%s", outcome, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void expectApplies(WebhookFixture webhook, String namespace) {
        webhook.apiServer.expect().patch()
                .withPath("/api/v1/namespaces/" + namespace + "/serviceaccounts/" + RbacNames.LABELER_SERVICE_ACCOUNT + QUERY)
                .andReturn(200, LabelerRbac.serviceAccount(namespace, RbacNames.LABELER_SERVICE_ACCOUNT)).always();
        webhook.apiServer.expect().patch()
                .withPath("/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/rolebindings/"
                        + RbacNames.LABELER_ROLE_BINDING + QUERY)
                .andReturn(200, LabelerRbac.roleBinding(namespace, RbacNames.LABELER_SERVICE_ACCOUNT)).always();
    }

    private static List<RecordedRequest> recorded(WebhookFixture webhook) throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (int i = webhook.apiServer.getRequestCount(); i > 0; i--) {
            requests.add(webhook.apiServer.takeRequest(5, TimeUnit.SECONDS));
        }
        for (RecordedRequest request : requests) {
            assertThat(request.getMethod()).isEqualTo("PATCH");
            assertThat(new JsonObject(request.getUtf8Body()).getJsonObject("metadata").getJsonObject("labels").getMap())
                    .containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        }
        return requests;
    }
}
