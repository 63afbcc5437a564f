package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.e2e.failover.FailoverChart;
import io.activemqha.e2e.failover.Kubelet;
import io.activemqha.e2e.failover.PodBroker;
import io.activemqha.e2e.failover.RunningPod;
import io.activemqha.e2e.failover.ServiceView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7: the example Deployment's pods, admitted through the real webhook, run by the process {@link Kubelet}
 * (own network namespace and address each, the real labeler jar with the admitted env and a pod-bound token, ActiveMQ
 * configured from the example's activemq.xml on one shared KahaDB); the real EndpointSlice controller computes the
 * Service's endpoints from the labels the labelers set.
 */
@ExtendWith(E2eExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(7)
class FailoverIT {
    static final String NAMESPACE = ExampleOnKubelet.NAMESPACE;
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final int FAILOVERS = 5;
    /**
     * How long a state that must not change is watched: several labeler probe intervals and a few pod watch
     * round trips.
     */
    private static final Duration SLAVE_WATCH = Duration.ofSeconds(5);
    /**
     * Allowance for what the configured intervals do not bound: JVM start, journal recovery, an API round trip and
     * a watch delivery on a 2-core machine shared with other builds. Only a broken failover exceeds it.
     */
    private static final long ALLOWANCE_MS = 20_000;
    /** The labeler's default re-probe interval while its broker is not active (docs/labeler.md). */
    private static final long PROBE_INTERVAL_MS = 250;
    /** The labeler's default bound on one probe's connect and handshake. */
    private static final long HANDSHAKE_TIMEOUT_MS = 1000;

    private final ControlPlane plane;
    private final ActiveMqHa activeMqHa;
    private ExampleOnKubelet example;
    private Kubelet kubelet;
    private BrokerPods pods;
    private ServiceView view;
    private EndpointClient client;
    private final List<FailoverTimings> timings = new ArrayList<>();
    private final MessageLedger ledger = new MessageLedger();
    private final List<MessageLedger> ledgers = new ArrayList<>(List.of(ledger));

    FailoverIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.activeMqHa = activeMqHa;
    }

    @BeforeAll
    void runTheExampleOnTheProcessKubelet() {
        example = ExampleOnKubelet.start(plane, activeMqHa, SETTLE);
        kubelet = example.kubelet();
        pods = example.pods();
        view = example.view();
        client = new EndpointClient(view);
    }

    @AfterAll
    void stopThePodsAndDeleteTheExample() throws Exception {
        try {
            if (example != null) {
                example.close();
            }
        } finally {
            Path target = Path.of(System.getProperty("activemq.ha.work.dir")).getParent();
            String json = FailoverTimings.json(timings, ledgers);
            Files.writeString(target.resolve("failover-timings.json"), json);
            if (!timings.isEmpty()) {
                Files.writeString(target.resolve("failover-timeline.svg"), FailoverChart.render(json));
            }
        }
    }

    @Test
    @Order(1)
    void steadyStateTheEndpointsHoldExactlyTheLockHolder() {
        RunningPod holder = awaitSteadyState();
        RunningPod standby = pods.other(holder);
        assertThat(client.handshake(holder.address())).as("the lock holder accepts OpenWire").isTrue();
        assertThat(client.handshake(standby.address())).as("the slave opens no port").isFalse();
        assertThat(view.current().endpoints()).containsExactly(holder.address());
        assertThat(view.current().leader(holder.name())).isEqualTo(Labels.LEADER_YES);
        assertThat(view.current().leader(standby.name())).isEqualTo(Labels.LEADER_NO);
        for (RunningPod pod : pods.all()) {
            assertThat(plane.client().pods().inNamespace(NAMESPACE).withName(pod.name()).get().getSpec().getNodeName())
                    .as("bound through pods/binding").isEqualTo(kubelet.nodeName());
            Map<String, String> env = pod.container(BrokerPods.LABELER).environment();
            assertThat(env).containsEntry("POD_NAME", pod.name()).containsEntry("POD_NAMESPACE", NAMESPACE);
            JsonNode claims = tokenClaims(Path.of(env.get("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN")));
            assertThat(claims.at("/kubernetes.io/serviceaccount/name").asText())
                    .isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
            assertThat(claims.at("/kubernetes.io/pod/name").asText()).as("token bound to its pod").isEqualTo(pod.name());
        }
    }

    private static JsonNode tokenClaims(Path token) {
        try {
            String payload = Files.readString(token).trim().split("\\.")[1];
            return new ObjectMapper().readTree(java.util.Base64.getUrlDecoder().decode(payload));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(2)
    void sigkillOfTheActiveBrokerMovesTheEndpointToTheStandby() {
        long lockAcquireSleep = lockerSetting("lockAcquireSleepInterval");
        // A slave that gets the lock holds it for one keep-alive period before it trusts it (SharedFileLocker),
        // so that period is the floor of every failover.
        long lockKeepAlive = lockerSetting("lockKeepAlivePeriod");
        for (int round = 1; round <= FAILOVERS; round++) {
            RunningPod active = awaitSteadyState();
            RunningPod standby = pods.other(active);
            long kill = System.currentTimeMillis();
            active.kill(BrokerPods.BROKER);

            long standbyActive = Await.until("the standby broker of " + standby.name() + " to take the lock",
                    SETTLE, () -> BrokerPods.acceptingSince(standby, kill), () -> standby.container(BrokerPods.BROKER)
                            .logTail(20)) - kill;
            // Seen on the pod watch, or implied by an EndpointSlice holding the pod (the Service selects leader=yes):
            // the two watch streams have no order between them, whichever shows it first is when it was known.
            ServiceView.Observation labeled = awaitSince(kill, "leader=yes on " + standby.name(),
                    o -> Labels.LEADER_YES.equals(o.leader(standby.name()))
                            || o.endpoints().contains(standby.address()));
            ServiceView.Observation endpoints = awaitSince(kill, "the endpoints to hold only " + standby.address(),
                    o -> o.endpoints().equals(Set.of(standby.address())));
            long clientOk = client.firstRoundTrip(kill, ledger, SETTLE) - kill;
            FailoverTimings measured = new FailoverTimings(standbyActive, labeled.epochMillis() - kill,
                    endpoints.epochMillis() - kill, clientOk);
            timings.add(measured);
            System.out.printf("failover %d (%s -> %s): %s%n", round, active.name(), standby.name(), measured);

            assertThat(client.handshake(standby.address())).as("the new master accepts OpenWire").isTrue();
            assertThat(measured.standbyActiveMs()).as("standby active, ms after the kill")
                    .isGreaterThanOrEqualTo(lockKeepAlive)
                    .isLessThanOrEqualTo(lockAcquireSleep + lockKeepAlive + ALLOWANCE_MS);
            assertThat(measured.labeledMs()).as("labeled after the broker accepts")
                    .isGreaterThanOrEqualTo(measured.standbyActiveMs())
                    .isLessThanOrEqualTo(measured.standbyActiveMs() + PROBE_INTERVAL_MS + HANDSHAKE_TIMEOUT_MS
                            + ALLOWANCE_MS);
            assertThat(measured.endpointsMs()).as("endpoints follow the label")
                    .isGreaterThanOrEqualTo(measured.labeledMs())
                    .isLessThanOrEqualTo(measured.labeledMs() + ALLOWANCE_MS);
            assertThat(measured.clientOkMs()).as("a client resolves the new endpoint")
                    .isGreaterThanOrEqualTo(measured.endpointsMs());

            long slaveBefore = BrokerPods.slaveAnnouncements(active);
            active.restart(BrokerPods.BROKER);
            Await.untilTrue(active.name() + "'s restarted broker waiting as a slave", SETTLE,
                    () -> BrokerPods.slaveAnnouncements(active) > slaveBefore,
                    () -> active.container(BrokerPods.BROKER).logTail(20));
        }
        assertThat(ledger.lost()).as("acknowledged probe messages lost").isZero();
    }

    @Test
    @Order(3)
    void aBrokerRestartedInsideItsRunningPodLeavesTheEndpointsAndStaysOutAsASlave() {
        RunningPod active = awaitSteadyState();
        RunningPod standby = pods.other(active);
        long slaveBefore = BrokerPods.slaveAnnouncements(active);
        int restartsBefore = active.container(BrokerPods.BROKER).restarts();
        long restart = System.currentTimeMillis();
        active.container(BrokerPods.BROKER).signal("HUP");
        Await.untilTrue(active.name() + "'s broker stopped in its running process", SETTLE,
                () -> BrokerPods.lastEvent(active).map(e -> e.event().equals(PodBroker.STOPPED)).orElse(false),
                () -> active.container(BrokerPods.BROKER).logTail(20));
        view.await("the endpoints to move to " + standby.name(), SETTLE,
                o -> o.endpoints().equals(Set.of(standby.address()))
                        && Labels.LEADER_NO.equals(o.leader(active.name())));
        active.container(BrokerPods.BROKER).signal("HUP");
        Await.untilTrue(active.name() + "'s broker started again and waiting as a slave", SETTLE,
                () -> BrokerPods.slaveAnnouncements(active) > slaveBefore,
                () -> active.container(BrokerPods.BROKER).logTail(20));
        long moved = System.currentTimeMillis();
        // Watch a while longer: the slave's pod must not come back, although it stays Running and Ready.
        pause(SLAVE_WATCH);

        assertThat(active.container(BrokerPods.BROKER).isRunning()).as("the broker process was not restarted").isTrue();
        assertThat(active.container(BrokerPods.BROKER).restarts()).as("no container restart").isEqualTo(restartsBefore);
        assertThat(podReady(active)).as("the slave's pod stays Ready: the label alone keeps it out").isTrue();
        assertThat(client.handshake(active.address())).as("the slave opens no port").isFalse();
        List<ServiceView.Observation> since = view.history().stream().filter(o -> o.epochMillis() >= moved).toList();
        assertThat(since).as("states after the move").allSatisfy(o -> {
            assertThat(o.endpoints()).doesNotContain(active.address());
            assertThat(o.leader(active.name())).isEqualTo(Labels.LEADER_NO);
        });
        assertThat(view.current().endpoints()).containsExactly(standby.address());
        assertThat(restart).isLessThan(moved);
    }

    @Test
    @Order(4)
    void killedLabelersLeaveTheLabelsAloneAndConvergeAfterTheirRestart() {
        RunningPod active = awaitSteadyState();
        RunningPod standby = pods.other(active);
        long kill = System.currentTimeMillis();
        active.kill(BrokerPods.LABELER);
        standby.kill(BrokerPods.LABELER);
        pause(SLAVE_WATCH);

        // Nobody else writes the label: it stays as the labelers left it. The pods are NotReady while their sidecar
        // is down (a native sidecar counts for readiness), so the endpoints are empty meanwhile.
        List<ServiceView.Observation> whileDown = view.history().stream().filter(o -> o.epochMillis() >= kill).toList();
        assertThat(whileDown).isNotEmpty().allSatisfy(o -> {
            assertThat(o.leader(active.name())).isEqualTo(Labels.LEADER_YES);
            assertThat(o.leader(standby.name())).isEqualTo(Labels.LEADER_NO);
            assertThat(o.endpoints()).doesNotContain(standby.address());
        });
        assertThat(client.handshake(active.address())).as("the broker itself still serves").isTrue();

        active.restart(BrokerPods.LABELER);
        standby.restart(BrokerPods.LABELER);
        assertThat(awaitSteadyState().name()).as("converged on the same lock holder").isEqualTo(active.name());
        assertThat(active.container(BrokerPods.LABELER).logTail(40)).contains("labeling pod");
    }

    @Test
    @Order(5)
    void stompMqttAndOpenWireClientsLoseNoAcknowledgedMessageAcrossTwoFailovers() throws Exception {
        awaitSteadyState();
        try (ClientTraffic traffic = ClientTraffic.throughEndpoints(view, pods.all().stream().map(RunningPod::address).toList())) {
            traffic.start();
            traffic.awaitEveryProtocolAcknowledgedMore(java.util.Map.of(), SETTLE);
            for (int failover = 1; failover <= 2; failover++) {
                RunningPod active = awaitSteadyState();
                java.util.Map<String, Long> before = traffic.acknowledgedPerProtocol();
                active.kill(BrokerPods.BROKER);
                RunningPod next = awaitSteadyState();
                assertThat(next.name()).isNotEqualTo(active.name());
                traffic.awaitEveryProtocolAcknowledgedMore(before, SETTLE);
                long slaveBefore = BrokerPods.slaveAnnouncements(active);
                active.restart(BrokerPods.BROKER);
                Await.untilTrue(active.name() + " back as a slave", SETTLE,
                        () -> BrokerPods.slaveAnnouncements(active) > slaveBefore,
                        () -> active.container(BrokerPods.BROKER).logTail(20));
            }
            traffic.drain(SETTLE);
            traffic.ledgers().forEach((protocol, book) -> System.out.printf(
                    "%s: %d acknowledged, %d lost, %d duplicates%n", protocol, book.acknowledgedCount(), book.lost(),
                    book.duplicates()));
            ledgers.addAll(traffic.ledgers().values());
            assertThat(traffic.errors()).as("client errors").isEmpty();
            traffic.ledgers().forEach((protocol, book) -> assertThat(book.lostIds())
                    .as("%s messages acknowledged by a broker but never received", protocol).isEmpty());
        }
    }

    private boolean podReady(RunningPod pod) {
        return plane.client().pods().inNamespace(NAMESPACE).withName(pod.name()).get().getStatus().getConditions()
                .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private ServiceView.Observation awaitSince(long since, String what,
                                               java.util.function.Predicate<ServiceView.Observation> condition) {
        view.await(what, SETTLE, condition);
        return view.firstSince(since, condition).orElseThrow();
    }

    /** Waits for one lock holder whose pod alone is labeled leader=yes and alone is the Service's endpoint. */
    RunningPod awaitSteadyState() {
        return example.awaitSteadyState(SETTLE);
    }

    private static long lockerSetting(String attribute) {
        try {
            String xml = Files.readString(example().resolve("activemq.xml"));
            Matcher matcher = Pattern.compile(attribute + "=\"(\\d+)\"").matcher(xml);
            if (!matcher.find()) {
                throw new IllegalStateException("activemq.xml sets no " + attribute);
            }
            return Long.parseLong(matcher.group(1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Path example() {
        return ExampleOnKubelet.example();
    }
}
