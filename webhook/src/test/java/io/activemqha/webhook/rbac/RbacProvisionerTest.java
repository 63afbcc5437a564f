package io.activemqha.webhook.rbac;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.common.RbacRules;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provisioner against the fabric8 mock API server in expectations mode: its CRUD mode answers an
 * {@code application/apply-patch+yaml} PATCH with 415 and a PATCH of a missing object with 404, so it cannot
 * stand in for server-side apply.
 */
class RbacProvisionerTest {
    private static final String SA = RbacNames.LABELER_SERVICE_ACCOUNT;
    private static final String QUERY = "?fieldManager=" + LabelerRbac.FIELD_MANAGER + "&force=true";

    private KubernetesMockServer server;
    private Vertx vertx;
    private KubernetesClient client;
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicInteger roundTrips = new AtomicInteger();

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        vertx = Vertx.vertx();
        try (KubernetesClient bootstrap = server.createClient()) {
            // The production client: shared Vert.x, short timeouts, no retries.
            client = ApiClients.create(vertx, bootstrap.getConfiguration(), Duration.ofSeconds(2));
        }
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private CachingRbacProvisioner provisioner(Duration ttl) {
        return new CachingRbacProvisioner(vertx, new RbacApplier(client), ttl, nanos::get,
                (namespace, ok) -> roundTrips.incrementAndGet());
    }

    private void expectApplies(String namespace) {
        expectApplies(namespace, SA);
    }

    private void expectApplies(String namespace, String account) {
        server.expect().patch().withPath(serviceAccountPath(namespace, account) + QUERY)
                .andReturn(200, LabelerRbac.serviceAccount(namespace, account)).always();
        server.expect().patch().withPath(roleBindingPath(namespace) + QUERY)
                .andReturn(200, LabelerRbac.roleBinding(namespace, account)).always();
    }

    @Test
    void appliesServiceAccountAndRoleBindingWithServerSideApply() throws Exception {
        expectApplies("team-a");

        await(provisioner(Duration.ofMinutes(10)).ensure("team-a", SA));

        List<RecordedRequest> requests = recorded();
        assertThat(requests).extracting(RecordedRequest::getMethod).containsExactly("PATCH", "PATCH");
        assertThat(requests).extracting(RecordedRequest::getPath)
                .containsExactly(serviceAccountPath("team-a") + QUERY, roleBindingPath("team-a") + QUERY);
        assertThat(requests).allSatisfy(r ->
                assertThat(r.getHeader("Content-Type")).startsWith("application/apply-patch+yaml"));
        // JSON is YAML: the apply body is the full desired object.
        JsonObject account = new JsonObject(requests.get(0).getUtf8Body());
        assertThat(account.getString("apiVersion")).isEqualTo("v1");
        assertThat(account.getString("kind")).isEqualTo("ServiceAccount");
        assertThat(account.getJsonObject("metadata").getString("name")).isEqualTo(SA);
        assertThat(account.getJsonObject("metadata").getString("namespace")).isEqualTo("team-a");
        assertThat(account.getJsonObject("metadata").getJsonObject("labels").getMap())
                .containsExactly(Map.entry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));
        JsonObject binding = new JsonObject(requests.get(1).getUtf8Body());
        assertThat(binding.getString("apiVersion")).isEqualTo("rbac.authorization.k8s.io/v1");
        assertThat(binding.getString("kind")).isEqualTo("RoleBinding");
        assertThat(binding.getJsonObject("metadata").getString("name")).isEqualTo(RbacNames.LABELER_ROLE_BINDING);
        assertThat(binding.getJsonObject("metadata").getJsonObject("labels").getMap())
                .containsExactly(Map.entry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE));
        assertThat(binding.getJsonObject("roleRef").getMap()).containsOnly(
                Map.entry("apiGroup", "rbac.authorization.k8s.io"), Map.entry("kind", "ClusterRole"),
                Map.entry("name", RbacNames.LABELER_CLUSTER_ROLE));
        assertThat(binding.getJsonArray("subjects")).containsExactly(new JsonObject()
                .put("kind", "ServiceAccount").put("name", SA).put("namespace", "team-a"));
    }

    @Test
    void aBusyNamespaceCostsOneRoundTripPerTtl() throws Exception {
        expectApplies("team-a");
        expectApplies("team-b");
        CachingRbacProvisioner provisioner = provisioner(Duration.ofMinutes(10));

        List<Future<Void>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(provisioner.ensure("team-a", SA));
        }
        await(Future.all(burst));
        await(provisioner.ensure("team-a", SA));
        assertThat(roundTrips).as("50 concurrent pods share one apply").hasValue(1);
        assertThat(server.getRequestCount()).isEqualTo(2);

        await(provisioner.ensure("team-b", SA));
        assertThat(server.getRequestCount()).isEqualTo(4);

        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        await(provisioner.ensure("team-a", SA));
        assertThat(server.getRequestCount()).as("still within the TTL").isEqualTo(4);

        nanos.addAndGet(Duration.ofMinutes(2).toNanos());
        await(provisioner.ensure("team-a", SA));
        assertThat(server.getRequestCount()).as("TTL expired: applied again").isEqualTo(6);
    }

    @Test
    void apiFailureCarriesTheServersMessageAndIsNotCached() throws Exception {
        String forbidden = "serviceaccounts \"" + SA + "\" is forbidden: User \"system:serviceaccount:activemq-ha:webhook\""
                + " cannot patch resource \"serviceaccounts\" in API group \"\" in the namespace \"locked\"";
        server.expect().patch().withPath(serviceAccountPath("locked") + QUERY)
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage(forbidden).build())
                .once();
        CachingRbacProvisioner provisioner = provisioner(Duration.ofMinutes(10));

        assertThatThrownBy(() -> await(provisioner.ensure("locked", SA)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RbacProvisioningException.class)
                .hasMessage("cannot apply ServiceAccount locked/" + SA + ": HTTP 403 Forbidden: " + forbidden);
        assertThat(server.getRequestCount()).isEqualTo(1);

        expectApplies("locked");
        await(provisioner.ensure("locked", SA));
        assertThat(server.getRequestCount()).as("the failure was not cached: retried").isEqualTo(3);
    }

    @Test
    void aRequestWithoutNamespaceIsRefusedWithoutAnApiCall() {
        CachingRbacProvisioner provisioner = provisioner(Duration.ofMinutes(10));

        assertThatThrownBy(() -> await(provisioner.ensure(null, SA)))
                .cause().isInstanceOf(RbacProvisioningException.class)
                .hasMessage("nothing to provision: the admission request names namespace (none) and service account \""
                        + SA + "\"");
        assertThatThrownBy(() -> await(provisioner.ensure(" ", SA))).cause().isInstanceOf(RbacProvisioningException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void unreachableApiServerIsReportedAsSuch() throws Exception {
        String url = client.getMasterUrl().toString();
        server.destroy();
        CachingRbacProvisioner provisioner = provisioner(Duration.ofMinutes(10));

        assertThatThrownBy(() -> await(provisioner.ensure("team-a", SA)))
                .cause().isInstanceOf(RbacProvisioningException.class)
                .hasMessage("cannot apply ServiceAccount team-a/" + SA + " at " + url + ": ConnectException: Connection refused");
    }

    @Test
    void usesOnlyTheVerbsTheWebhooksClusterRoleGrants() throws Exception {
        expectApplies("team-a");
        expectApplies("team-b", "custom-account");
        CachingRbacProvisioner provisioner = provisioner(Duration.ofSeconds(1));
        await(provisioner.ensure("team-a", SA));
        await(provisioner.ensure("team-b", "custom-account"));
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        await(provisioner.ensure("team-a", SA));

        List<RecordedRequest> requests = recorded();
        assertThat(requests).hasSizeGreaterThanOrEqualTo(4);
        for (RecordedRequest request : requests) {
            String resource = resourceOf(request.getPath());
            String verb = verbOf(request.getMethod(), request.getPath());
            assertThat(RbacRules.WEBHOOK).as("resource of %s %s", request.getMethod(), request.getPath())
                    .containsKey(resource);
            assertThat(RbacRules.WEBHOOK.get(resource)).as("verb of %s %s", request.getMethod(), request.getPath())
                    .contains(verb);
        }
    }

    private List<RecordedRequest> recorded() throws InterruptedException {
        List<RecordedRequest> requests = new ArrayList<>();
        for (int i = server.getRequestCount(); i > 0; i--) {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            if (request == null) {
                break;
            }
            requests.add(request);
        }
        return requests;
    }

    /** The resource segment of a namespaced API path: .../namespaces/NS/RESOURCE[/NAME]. */
    static String resourceOf(String path) {
        String[] segments = path.split("\\?")[0].split("/");
        for (int i = 0; i < segments.length - 2; i++) {
            if (segments[i].equals("namespaces")) {
                return segments[i + 2];
            }
        }
        throw new AssertionError("not a namespaced resource path: " + path);
    }

    /** The RBAC verb the API server authorizes a request as (a name after the resource makes it an object request). */
    static String verbOf(String method, String path) {
        String[] segments = path.split("\\?")[0].split("/");
        boolean named = !resourceOf(path).equals(segments[segments.length - 1]);
        return switch (method) {
            case "GET" -> path.contains("watch=true") ? "watch" : named ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> throw new AssertionError("unexpected method " + method);
        };
    }

    private static String serviceAccountPath(String namespace) {
        return serviceAccountPath(namespace, SA);
    }

    private static String serviceAccountPath(String namespace, String account) {
        return "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + account;
    }

    private static String roleBindingPath(String namespace) {
        return "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/rolebindings/"
                + RbacNames.LABELER_ROLE_BINDING;
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
