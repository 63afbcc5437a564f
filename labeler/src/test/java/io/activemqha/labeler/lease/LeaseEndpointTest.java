package io.activemqha.labeler.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.health.HealthServer;
import io.activemqha.labeler.health.LabelerMetrics;
import io.activemqha.labeler.health.LoopHeartbeats;
import io.activemqha.labeler.http.LeaseServer;
import io.activemqha.labeler.testing.MockApi;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The labeler's side of {@link LeaseContract}: the endpoint on its own loopback server, over real HTTP, with the
 * keeper writing real Lease objects through fabric8 to the API of the labeler's tests (the fabric8 mock server in
 * CRUD mode, which refuses a stale resourceVersion as the API server does).
 */
class LeaseEndpointTest {
    private static final String NAMESPACE = "activemq";
    private static final String LEASE = "activemq-ha-activemq";
    private static final Duration DURATION = Duration.ofSeconds(15);

    private final MockApi api = new MockApi();
    private final HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    private LeaseServer zero;
    private LeaseServer one;

    @BeforeEach
    void start() throws Exception {
        zero = labeler("activemq-0");
        one = labeler("activemq-1");
    }

    private LeaseServer labeler(String pod) throws Exception {
        LeaseServer server = LeaseServer.bind(0);
        server.serve(new LeaseEndpoint(keeper(new KubeLeaseStore(api.client(), NAMESPACE), pod), NAMESPACE + "/" + LEASE));
        return server;
    }

    /** A keeper whose pod has read its own UID ({@code uid-<pod>}); fencing is never confirmed here. */
    private static LeaseKeeper keeper(LeaseStore store, String pod) {
        return new LeaseKeeper(store, LEASE, pod, () -> Optional.of(new OwnPod("uid-" + pod, Set.of())),
                holder -> new HolderFencer.Fencing() {
                    @Override
                    public boolean confirmed() {
                        return false;
                    }

                    @Override
                    public void close() {
                    }
                }, DURATION, System::nanoTime, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        zero.close();
        one.close();
        api.close();
    }

    private HttpResponse<String> send(LeaseServer server, String method) throws Exception {
        return send(server, method, "session-" + server.port());
    }

    private HttpResponse<String> send(LeaseServer server, String method, String session) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + LeaseContract.PATH)).method(method, HttpRequest.BodyPublishers.noBody());
        if (session != null) {
            request.header(LeaseContract.HEADER_SESSION, session);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theFirstBrokerToAskHoldsTheLeaseAndTheOtherIsToldWho() throws Exception {
        HttpResponse<String> held = send(zero, "POST");
        assertThat(held.statusCode()).isEqualTo(LeaseContract.HELD);
        assertThat(held.headers().firstValue(LeaseContract.HEADER_DURATION_MS)).hasValue("15000");
        assertThat(held.headers().firstValue(LeaseContract.HEADER_TAKEN_OVER)).hasValue("false");
        assertThat(held.headers().firstValue(LeaseContract.HEADER_LEASE_NAME)).hasValue(NAMESPACE + "/" + LEASE);

        HttpResponse<String> elsewhere = send(one, "POST");
        assertThat(elsewhere.statusCode()).isEqualTo(LeaseContract.HELD_ELSEWHERE);
        assertThat(elsewhere.headers().firstValue(LeaseContract.HEADER_HOLDER)).hasValue("activemq-0_uid-activemq-0");

        var stored = api.client().leases().inNamespace(NAMESPACE).withName(LEASE).get();
        assertThat(stored.getSpec().getHolderIdentity()).as("the pod's name and UID").isEqualTo("activemq-0_uid-activemq-0");
        assertThat(stored.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
        assertThat(stored.getSpec().getRenewTime()).isNotNull();
        assertThat(send(zero, "POST").statusCode()).as("renewed").isEqualTo(LeaseContract.HELD);
    }

    @Test
    void aReleaseHandsTheLeaseToTheNextAskerAtOnce() throws Exception {
        send(zero, "POST");
        send(one, "POST");

        assertThat(send(zero, "DELETE").statusCode()).isEqualTo(LeaseContract.RELEASED);

        HttpResponse<String> next = send(one, "POST");
        assertThat(next.statusCode()).isEqualTo(LeaseContract.HELD);
        assertThat(next.headers().firstValue(LeaseContract.HEADER_TAKEN_OVER)).hasValue("false");
        assertThat(api.client().leases().inNamespace(NAMESPACE).withName(LEASE).get().getSpec().getLeaseTransitions())
                .isEqualTo(1);
    }

    @Test
    void anUnreachableApiIsA503WithTheReason() throws Exception {
        send(zero, "POST");
        api.stop();

        HttpResponse<String> unknown = send(zero, "POST");

        assertThat(unknown.statusCode()).isEqualTo(LeaseContract.UNKNOWN);
        assertThat(unknown.body()).contains("cannot read Lease activemq/activemq-ha-activemq");
    }

    @Test
    void aRequestThatNamesNoBrokerProcessIsRefused() throws Exception {
        HttpResponse<String> anonymous = send(zero, "POST", null);

        assertThat(anonymous.statusCode()).isEqualTo(400);
        assertThat(anonymous.body()).contains(LeaseContract.HEADER_SESSION);
        assertThat(api.client().leases().inNamespace(NAMESPACE).withName(LEASE).get()).isNull();
    }

    @Test
    void aReleaseByAnotherBrokerProcessThanTheHoldersLeavesTheLeaseHeld() throws Exception {
        send(zero, "POST", "first");

        assertThat(send(zero, "DELETE", "stale").statusCode()).isEqualTo(LeaseContract.RELEASED);

        assertThat(api.client().leases().inNamespace(NAMESPACE).withName(LEASE).get().getSpec().getHolderIdentity())
                .isEqualTo("activemq-0_uid-activemq-0");
    }

    @Test
    void otherMethodsAreRefusedWithWhatIsAllowed() throws Exception {
        HttpResponse<String> get = send(zero, "GET");

        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST, DELETE");
    }

    /**
     * An API server that accepts connections and never answers (a hung one, or packets dropped on the way back): the
     * first lease request waits for it, a second is told at once that it is not renewed, and the liveness endpoint
     * keeps answering.
     */
    @Test
    void aHungApiHoldsOneRequestAndNeitherTheNextNorTheLivenessProbe() throws Exception {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                     .withMasterUrl("http://127.0.0.1:" + hung.getLocalPort()).withRequestTimeout(3000)
                     .withRequestRetryBackoffLimit(0).build()).build()) {
            LeaseServer server = LeaseServer.bind(0);
            HealthServer health = HealthServer.start(new InetSocketAddress("127.0.0.1", 0),
                    new LoopHeartbeats(System::nanoTime), Duration.ofSeconds(30), new LabelerMetrics());
            try {
                server.serve(new LeaseEndpoint(keeper(new KubeLeaseStore(client, NAMESPACE), "activemq-0"),
                        NAMESPACE + "/" + LEASE));
                CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
                    try {
                        return send(server, "POST");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                Socket waiting = hung.accept();
                try (waiting) {
                    HttpResponse<String> second = send(server, "POST");
                    assertThat(second.statusCode()).isEqualTo(LeaseContract.UNKNOWN);
                    assertThat(second.body()).contains("still waiting for the API server");
                    HttpResponse<String> liveness = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + health.port() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(liveness.statusCode()).isEqualTo(200);
                    assertThat(first).isNotDone();
                    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).as("the hung request, timed out")
                            .isEqualTo(LeaseContract.UNKNOWN);
                }
            } finally {
                server.close();
                health.close();
            }
        }
    }
}
