package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacRules;
import io.activemqha.labeler.kube.PodEventRecorder;
import io.activemqha.labeler.testing.HaGroup;
import io.activemqha.labeler.testing.Http;
import io.activemqha.labeler.testing.MockApi;
import io.activemqha.labeler.testing.RbacAudit;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenarios with real brokers and real labeler processes; only the Kubernetes API is the
 * fabric8 mock server, reached through a kubeconfig. After each scenario every request the labelers sent
 * is checked against {@link RbacRules#LABELER}.
 */
class FailoverScenariosTest {
    private static MockApi api;

    @TempDir
    Path dir;
    private HaGroup group;

    @BeforeAll
    static void startApi() {
        api = new MockApi();
    }

    @AfterAll
    static void stopApi() {
        api.close();
    }

    private HaGroup group(TestInfo test) throws Exception {
        String ns = test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        group = new HaGroup(api, dir, ns.substring(0, Math.min(ns.length(), 40)));
        return group;
    }

    @AfterEach
    void stopProcessesAndAuditRbac() {
        if (group != null) {
            group.close();
            assertRequestsWithinLabelerRbac(api);
        }
    }

    /** Every request the labelers sent (the tests' own client excluded) needs only what RbacRules.LABELER grants. */
    private static void assertRequestsWithinLabelerRbac(MockApi server) {
        List<String> labelerRequests = server.takeRequests().stream()
                .filter(r -> !MockApi.TEST_USER_AGENT.equals(r.getHeader("User-Agent")))
                .map(r -> r.getMethod() + " " + r.getPath())
                .toList();
        Set<RbacAudit.Access> used = labelerRequests.stream()
                .map(r -> RbacAudit.of(r.substring(0, r.indexOf(' ')), r.substring(r.indexOf(' ') + 1)))
                .flatMap(Optional::stream)
                .collect(Collectors.toSet());
        assertThat(labelerRequests).as("the labelers talked to the API").isNotEmpty();
        for (RbacAudit.Access access : used) {
            assertThat(RbacRules.LABELER.getOrDefault(access.resource(), Set.of()))
                    .as("RBAC grants %s (requests: %s)", access, labelerRequests)
                    .contains(access.verb());
        }
    }

    @Test
    void twoPodsOnlyTheLockHolderIsLeader(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        HaGroup.Broker b = g.startSlave("b");
        g.createPod("pod-a", null);
        g.createPod("pod-b", null);
        g.startLabeler("pod-a", a.openwireUrl());
        g.startLabeler("pod-b", b.openwireUrl());

        g.awaitLabel("pod-a", Labels.LEADER_YES);
        g.awaitLabel("pod-b", Labels.LEADER_NO);
        assertThat(b.process().count(l -> l.startsWith("MASTER"))).as("b never held the lock").isZero();
        assertThat(api.labels(g.namespace(), "pod-a")).containsEntry(Labels.GROUP, g.group());
    }

    @Test
    void killedActiveBrokerHandsLeadershipToTheStandby(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        HaGroup.Broker b = g.startSlave("b");
        g.createPod("pod-a", null);
        g.createPod("pod-b", null);
        HaGroup.Labeler labelerA = g.startLabeler("pod-a", a.openwireUrl());
        HaGroup.Labeler labelerB = g.startLabeler("pod-b", b.openwireUrl());
        g.awaitLabel("pod-a", Labels.LEADER_YES);
        g.awaitLabel("pod-b", Labels.LEADER_NO);

        a.process().kill();
        b.awaitMaster(1);

        g.awaitLabel("pod-b", Labels.LEADER_YES);
        g.awaitLabel("pod-a", Labels.LEADER_NO);
        assertThat(labelerA.process().isAlive()).as("the dead broker's labeler keeps running").isTrue();
        assertThat(Http.get(labelerB.healthPort(), LabelerContract.HEALTH_PATH)).isEqualTo(new Http.Response(200, "ok\n"));
        // The metrics are updated once the patch has returned, which may be after the label is visible.
        awaitMetrics(labelerB, metrics -> {
            assertThat(metrics).contains("activemq_ha_labeler_leader 1", "activemq_ha_labeler_broker_active 1",
                    "activemq_ha_labeler_last_promotion_latency_seconds ");
            assertThat(metric(metrics, "activemq_ha_labeler_transitions_total{direction=\"promotion\"}")).isGreaterThanOrEqualTo(1);
        });
        awaitMetrics(labelerA, metrics -> {
            assertThat(metrics).contains("activemq_ha_labeler_leader 0", "activemq_ha_labeler_last_demotion_latency_seconds ");
            // At least the demotion after the kill; a probe that timed out on a loaded machine may have added a flap.
            assertThat(metric(metrics, "activemq_ha_labeler_transitions_total{direction=\"demotion\"}")).isGreaterThanOrEqualTo(1);
        });
        awaitEvent(g, "pod-b", PodEventRecorder.PROMOTED, "broker b");
        awaitEvent(g, "pod-a", PodEventRecorder.DEMOTED, "detection to label");
    }

    @Test
    void brokerRestartedAsSlaveWithBoundSocketStaysDemoted(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        HaGroup.Broker b = g.startSlave("b");
        g.createPod("pod-a", null);
        g.createPod("pod-b", null);
        HaGroup.Labeler labelerA = g.startLabeler("pod-a", a.openwireUrl());
        g.startLabeler("pod-b", b.openwireUrl());
        g.awaitLabel("pod-a", Labels.LEADER_YES);
        g.awaitLabel("pod-b", Labels.LEADER_NO);

        // In the same JVM, as ActiveMQ does after losing its lock: stop, then start again and wait as a slave.
        a.process().send("restart 3000");
        b.awaitMaster(1);
        a.process().awaitLine(l -> l.startsWith("STOPPED"), HaGroup.STARTUP);
        awaitCount(a.process(), "WAITING", 2);

        g.awaitLabel("pod-a", Labels.LEADER_NO);
        g.awaitLabel("pod-b", Labels.LEADER_YES);
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress("127.0.0.1", a.openwirePort()), 1000);
            assertThat(raw.isConnected()).as("the slave's socket completes TCP handshakes (backlog)").isTrue();
        }
        labelerA.process().awaitLine(l -> l.contains("no OpenWire handshake within 1000 ms"), HaGroup.CONVERGE);
        // Several probe rounds against the bound socket: the pod must stay demoted throughout.
        for (int i = 0; i < 30; i++) {
            assertThat(g.label("pod-a")).isEqualTo(Labels.LEADER_NO);
            Thread.sleep(100);
        }
        assertThat(a.process().count(l -> l.startsWith("MASTER"))).as("a did not get the lock back").isEqualTo(1);
        assertThat(labelerA.process().isAlive()).isTrue();
    }

    @Test
    void staleLeaderLabelsAreCorrectedAndPeersFenced(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        HaGroup.Broker b = g.startSlave("b");
        g.createPod("pod-a", Labels.LEADER_NO);
        g.createPod("pod-b", Labels.LEADER_YES);
        g.createPod("pod-c", Labels.LEADER_YES);
        api.createPod(g.namespace(), "pod-other-group", "other", Labels.LEADER_YES);

        // A slave's pod labeled yes (e.g. left over from before a labeler restart) is corrected on start.
        HaGroup.Labeler labelerB = g.startLabeler("pod-b", b.openwireUrl());
        g.awaitLabel("pod-b", Labels.LEADER_NO);
        // ... and again when someone else flips it while the labeler runs (level-triggered, via the watch).
        api.client().pods().inNamespace(g.namespace()).withName("pod-b").edit(
                p -> { p.getMetadata().getLabels().put(Labels.LEADER, Labels.LEADER_YES); return p; });
        labelerB.process().awaitLine(l -> l.contains("corrected pod"), HaGroup.CONVERGE);
        g.awaitLabel("pod-b", Labels.LEADER_NO);

        // pod-c, whose labeler is gone, still says yes: promoting pod-a fences it, within the group only.
        g.startLabeler("pod-a", a.openwireUrl());
        g.awaitLabel("pod-a", Labels.LEADER_YES);
        g.awaitLabel("pod-c", Labels.LEADER_NO);
        awaitEvent(g, "pod-a", PodEventRecorder.FENCED, "pod-c");
        assertThat(api.leaderLabel(g.namespace(), "pod-other-group")).isEqualTo(Labels.LEADER_YES);
        assertThat(g.label("pod-b")).isEqualTo(Labels.LEADER_NO);
    }

    @Test
    void apiOutageDuringFailoverConvergesWhenTheApiReturns(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        HaGroup.Broker b = g.startSlave("b");
        g.createPod("pod-a", null);
        g.createPod("pod-b", null);
        HaGroup.Labeler labelerA = g.startLabeler("pod-a", a.openwireUrl());
        HaGroup.Labeler labelerB = g.startLabeler("pod-b", b.openwireUrl());
        g.awaitLabel("pod-a", Labels.LEADER_YES);
        g.awaitLabel("pod-b", Labels.LEADER_NO);

        api.stop();
        try {
            a.process().kill();
            b.awaitMaster(1);
            labelerB.process().awaitLine(l -> l.contains("broker active: broker b"), HaGroup.CONVERGE);
            labelerB.process().awaitLine(l -> l.contains("labeling pod") && l.contains("failed"), HaGroup.CONVERGE);
            labelerA.process().awaitLine(l -> l.contains("labeling pod") && l.contains("failed"), HaGroup.CONVERGE);
            // Keep the API away through several back-off rounds of both labelers.
            awaitApiErrors(labelerA, 5);
            awaitApiErrors(labelerB, 5);
            assertThat(labelerA.process().isAlive()).isTrue();
            assertThat(labelerB.process().isAlive()).isTrue();
        } finally {
            api.restart();
        }
        g.awaitLabel("pod-b", Labels.LEADER_YES);
        g.awaitLabel("pod-a", Labels.LEADER_NO);
        assertThat(labelerA.process().isAlive()).isTrue();
        assertThat(labelerB.process().isAlive()).isTrue();
        assertThat(labelerB.process().output()).doesNotContain("\tat ");
    }

    @Test
    void sigtermDemotesTheLeaderBeforeExitingWithZero(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        g.createPod("pod-a", null);
        HaGroup.Labeler labelerA = g.startLabeler("pod-a", a.openwireUrl());
        g.awaitLabel("pod-a", Labels.LEADER_YES);

        int exit = labelerA.process().terminate(Duration.ofSeconds(20));

        assertThat(exit).as("exit code after SIGTERM\n%s", labelerA.process().output()).isZero();
        assertThat(g.label("pod-a")).as("label once the process is gone").isEqualTo(Labels.LEADER_NO);
        assertThat(labelerA.process().output()).contains("on shutdown");
        assertThat(a.process().isAlive()).as("the broker is left alone").isTrue();
    }

    @Test
    void brokerWithAuthenticationIsDetectedActive(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker secure = g.startBroker("secure", true, "admin:s3cret");
        secure.awaitMaster(1);
        g.createPod("pod-openwire", null);
        api.createPod(g.namespace(), "pod-stomp", g.group() + "-stomp", null);
        // The broker really refuses anonymous clients.
        org.apache.activemq.ActiveMQConnectionFactory anonymous = new org.apache.activemq.ActiveMQConnectionFactory(
                secure.openwireUrl());
        assertThatThrownBy(() -> {
            try (jakarta.jms.Connection c = anonymous.createConnection()) {
                c.start();
            }
        }).isInstanceOf(jakarta.jms.JMSSecurityException.class);

        g.startLabeler("pod-openwire", secure.openwireUrl());
        g.startLabeler("pod-stomp", secure.stompUrl());

        g.awaitLabel("pod-openwire", Labels.LEADER_YES);
        g.awaitLabel("pod-stomp", Labels.LEADER_YES);
    }

    private static void awaitCount(io.activemqha.labeler.testing.ChildProcess p, String prefix, int n) throws InterruptedException {
        long deadline = System.nanoTime() + HaGroup.STARTUP.toNanos();
        while (p.count(l -> l.startsWith(prefix)) < n) {
            assertThat(System.nanoTime()).as("%s printed %s %d times:\n%s", p.name(), prefix, n, p.output()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitMetrics(HaGroup.Labeler labeler, java.util.function.Consumer<String> check) throws Exception {
        long deadline = System.nanoTime() + HaGroup.CONVERGE.toNanos();
        while (true) {
            String metrics = Http.get(labeler.healthPort(), LabelerContract.METRICS_PATH).body();
            try {
                check.accept(metrics);
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(100);
        }
    }

    private static long metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " "))
                .mapToLong(l -> Long.parseLong(l.substring(series.length() + 1).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series + " in\n" + text));
    }

    private static double lastApiSuccessSeconds(String text) {
        String series = "activemq_ha_labeler_api_last_success_timestamp_seconds ";
        return text.lines().filter(l -> l.startsWith(series))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length()).trim())).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series + "in\n" + text));
    }

    private static void awaitApiErrors(HaGroup.Labeler labeler, int atLeast) throws Exception {
        long deadline = System.nanoTime() + HaGroup.CONVERGE.toNanos();
        while (true) {
            String metrics = Http.get(labeler.healthPort(), LabelerContract.METRICS_PATH).body();
            long errors = metric(metrics, "activemq_ha_labeler_api_errors_total");
            if (errors >= atLeast) {
                return;
            }
            assertThat(System.nanoTime()).as("%s: %d API errors so far", labeler.pod(), errors).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void awaitEvent(HaGroup g, String pod, String reason, String messagePart) throws InterruptedException {
        long deadline = System.nanoTime() + HaGroup.CONVERGE.toNanos();
        List<Event> events = List.of();
        while (System.nanoTime() < deadline) {
            events = api.client().v1().events().inNamespace(g.namespace()).list().getItems();
            boolean found = events.stream().anyMatch(e -> pod.equals(e.getInvolvedObject().getName())
                    && reason.equals(e.getReason()) && e.getMessage().contains(messagePart)
                    && LabelerContract.CONTAINER_NAME.equals(e.getSource().getComponent()));
            if (found) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no event " + reason + " on " + pod + " mentioning '" + messagePart + "' in "
                + events.stream().map(e -> e.getInvolvedObject().getName() + " " + e.getReason() + ": " + e.getMessage()).toList());
    }

    /** A broker that hangs without closing its socket (SIGSTOP) is demoted by the kept connection's inactivity monitor. */
    @Test
    void hungBrokerIsDemotedAndPromotedAgainWhenItResumes(TestInfo test) throws Exception {
        HaGroup g = group(test);
        HaGroup.Broker a = g.startMaster("a");
        g.createPod("pod-a", null);
        HaGroup.Labeler labeler = g.startLabeler("pod-a", a.openwireUrl(), "--inactivity-timeout", "2s");
        g.awaitLabel("pod-a", Labels.LEADER_YES);

        signal("STOP", a.process().pid());
        try {
            g.awaitLabel("pod-a", Labels.LEADER_NO);
            labeler.process().awaitLine(l -> l.contains("no OpenWire handshake within"), HaGroup.CONVERGE);
        } finally {
            signal("CONT", a.process().pid());
        }
        g.awaitLabel("pod-a", Labels.LEADER_YES);
        assertThat(labeler.process().output()).contains("connection lost");
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
    }

    /** 5xx, 429 and 409 answers to the label patch are retried with back-off until the patch goes through. */
    @Test
    void apiErrorAnswersAreRetriedUntilTheLabelIsSet(@TempDir Path own) throws Exception {
        try (MockApi scripted = new MockApi(true); HaGroup g = new HaGroup(scripted, own, "api-errors")) {
            HaGroup.Broker a = g.startMaster("a");
            g.createPod("pod-a", null);
            String path = "/api/v1/namespaces/api-errors/pods/pod-a";
            scripted.expect().patch().withPath(path).andReturn(503, status(503, "ServiceUnavailable")).once();
            scripted.expect().patch().withPath(path).andReturn(429, status(429, "TooManyRequests")).once();
            scripted.expect().patch().withPath(path).andReturn(409, status(409, "Conflict")).once();

            double startedSeconds = System.currentTimeMillis() / 1000.0;
            HaGroup.Labeler labeler = g.startLabeler("pod-a", a.openwireUrl());

            g.awaitLabel("pod-a", Labels.LEADER_YES);
            // The line is written once the patch has returned, which may be after the label is visible.
            labeler.process().awaitLine(l -> l.contains("promoted pod pod-a"), HaGroup.CONVERGE);
            assertThat(labeler.process().output()).contains("failed (HTTP 503", "failed (HTTP 429", "failed (HTTP 409");
            awaitApiErrors(labeler, 3);
            // The patch that went through counts as the label loop's last successful API call.
            assertThat(lastApiSuccessSeconds(Http.get(labeler.healthPort(), LabelerContract.METRICS_PATH).body()))
                    .isGreaterThanOrEqualTo(Math.floor(startedSeconds));
            assertThat(labeler.process().isAlive()).isTrue();
            g.close();
            assertRequestsWithinLabelerRbac(scripted);
        }
    }

    private static io.fabric8.kubernetes.api.model.Status status(int code, String reason) {
        return new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                .withMessage("scripted " + reason).build();
    }
}
