package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import io.activemqha.e2e.node.NodeExample;
import io.activemqha.e2e.node.RealNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The lease locker's scenarios on the real node (issues 14 and 24), against deploy/examples/activemq-lease as shipped
 * (or its StatefulSet form): each fault is timed from the moment it is made, with clients through the Service's
 * ClusterIP and a {@link MasterSampler} dialling every broker directly throughout. Never two brokers accept clients in
 * one sampling round, every new master's KahaDB opens without corrupt records, nothing acknowledged is lost. The
 * figures go to {@code target/lease-failover.json} ({@link LeaseReport}).
 *
 * <p>The bounds follow from the example's settings ({@link Settings}: the Lease duration {@code D}, the locker's
 * {@code lockKeepAlivePeriod} {@code K}, {@code lockAcquireSleepInterval} {@code A}, {@code requestTimeout} {@code R}
 * and {@code safetyMargin} {@code M}) and two fixed intervals of the other components: the kubelet's PLEG relist
 * ({@value #KUBELET_RELIST_MS} ms) and the labeler's re-check ({@value #LABELER_RECHECK_MS} ms). What no setting
 * bounds (JVM work, journal recovery, API round trips, watch deliveries, iptables updates on a busy 2-core node) is
 * the {@link #ALLOWANCE_MS allowance}.
 */
final class LeaseFailover {
    /** Room for what the settings do not bound: JVM work, journal recovery, API round trips on a busy 2-core node. */
    static final long ALLOWANCE_MS = 20_000;
    /** The kubelet's generic PLEG relists the containers every second: a killed container is noticed within it. */
    static final long KUBELET_RELIST_MS = 1000;
    /** The labeler re-checks its Lease gate (and releases the Lease for a broker whose container ended) this often. */
    static final long LABELER_RECHECK_MS = 200;
    /**
     * After its deadline the locker's watchdog halts the process within its 100 ms step; the sampler sees it within a
     * round ({@link MasterSampler#PERIOD_MS} plus {@link MasterSampler#ANSWER_MS}); the rest is a busy JVM's delay.
     */
    static final long HALT_ALLOWANCE_MS = 3000;
    /** What the locker logs once it holds the Lease and opens the store (LeaseSession). */
    static final String HOLDS_LINE = "holds the Lease";
    /** What a broker of a second group logs when it finds the store guarded by another Lease (StoreLeaseRecord). */
    static final String SHARED_STORE_LINE = "two HA groups must not share one store";
    /** The second group's Deployment (e2e/node/lease-second-group) and its pods' app label. */
    static final String SECOND_GROUP = "activemq-second";
    private static final Duration SCENARIO = Duration.ofSeconds(180);
    private static final Duration READY = Duration.ofSeconds(240);
    private static final int HALF_SENT_CONNECTIONS = 3;
    private static final Pattern UNANSWERED = Pattern.compile("renewal unanswered|renewal failed|no longer master");

    private final ControlPlane plane;
    private final NodeExample example;
    private final ClientTraffic traffic;
    private final MasterSampler sampler;
    private final PodHistory history;
    private final Settings settings;
    private final LeaseReport report;
    private final String form;

    /** What the example configures: the Lease duration (annotation) and the locker's intervals (activemq.xml). */
    record Settings(long durationMs, long keepAliveMs, long acquireMs, long requestTimeoutMs, long marginMs) {
        static Settings ofExample(Path example) throws IOException {
            String xml = Files.readString(example.resolve("activemq.xml"));
            String kustomization = Files.readString(example.resolve("kustomization.yaml"));
            Matcher duration = Pattern.compile("activemq-ha~1lease-duration\\s+value: (\\S+)").matcher(kustomization);
            if (!duration.find()) {
                throw new IllegalStateException("the lease example sets no activemq-ha/lease-duration");
            }
            return new Settings(LeaseContract.parseDuration(duration.group(1)).toMillis(),
                    number(xml, "lockKeepAlivePeriod=\"(\\d+)\""),
                    number(xml, "name=\"lockAcquireSleepInterval\" value=\"(\\d+)\""),
                    number(xml, "name=\"requestTimeout\" value=\"(\\d+)\""),
                    number(xml, "name=\"safetyMargin\" value=\"(\\d+)\""));
        }

        private static long number(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("the lease example's activemq.xml has no " + regex);
            }
            return Long.parseLong(m.group(1));
        }

        /**
         * The latest a master's last renewal can have been written before a fault: renewals go every {@code K} after
         * the previous one's answer, which takes up to {@code R}.
         */
        long renewalSpacingMs() {
            return keepAliveMs + requestTimeoutMs;
        }
    }

    /**
     * @param form what the example is ("deployment", "statefulset"), for the report
     */
    LeaseFailover(ControlPlane plane, NodeExample example, ClientTraffic traffic, MasterSampler sampler,
                  PodHistory history, Settings settings, LeaseReport report, String form) {
        this.plane = plane;
        this.example = example;
        this.traffic = traffic;
        this.sampler = sampler;
        this.history = history;
        this.settings = settings;
        this.report = report;
        this.form = form;
    }

    /** The Lease's holder identity ({@code <pod name>_<pod uid>}), as the API server has it; "" when free. */
    String holder() {
        return holder(LeaseContract.leaseName(NodeExample.BROKER));
    }

    private String holder(String leaseName) {
        Lease lease = plane.client().leases().inNamespace(NodeExample.NAMESPACE).withName(leaseName).get();
        return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
    }

    /** The Lease's holder identity for {@code pod}. */
    static String identity(Pod pod) {
        return LeaseContract.holderIdentity(pod.getMetadata().getName(), pod.getMetadata().getUid());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Broker killed: the fast path.

    /**
     * The leader's broker SIGKILLed: its container ends, the kubelet's PLEG notices within a relist
     * ({@value #KUBELET_RELIST_MS} ms) and reports it, the labeler's next re-check ({@value #LABELER_RECHECK_MS} ms)
     * releases the Lease for it, and the standby takes the free Lease at its next request ({@code A}) and opens the store
     * at once (no takeover, no fence). The killed broker's own restarted container may win the free Lease instead.
     * Clients through the Service are served again within {@code 1 s + 200 ms + A + allowance} (the allowance: the
     * status report and its watch, the API write, the broker's store and connectors, the label, the EndpointSlice,
     * kube-proxy and the clients' reconnect pauses); the aim is 3 s, {@code clients_served_by_ms} says what it was.
     */
    Map<String, Object> brokerKilled(Pod leader) {
        String old = leader.getMetadata().getName();
        int restarts = NodeExample.broker(leader).getRestartCount();
        RealNode.kill(NodeExample.broker(leader).getContainerID());
        // Killed synchronously: from now on no sampling round reaches it, and what is acknowledged (once the answers
        // already on their way, 100 ms, are in) was stored by the next master.
        long made = System.currentTimeMillis();
        long madeNanos = System.nanoTime();
        long killed = made;
        Pod next = Await.until("a broker master again after the SIGKILL", SCENARIO, () -> example.leaders().stream()
                .filter(p -> sampler.firstAccepting(p.getMetadata().getName(), killed).isPresent())
                .filter(p -> !p.getMetadata().getName().equals(old) || NodeExample.broker(p).getRestartCount() > restarts)
                .findFirst(), this::describe);
        long labeled = System.currentTimeMillis();
        String nextName = next.getMetadata().getName();
        long active = sampler.firstAccepting(nextName, killed).orElseThrow();
        Map<String, Long> served = served(madeNanos, killed + 100, made);
        settledOn(next);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "broker_sigkill");
        timing.put("form", form);
        timing.put("old_leader", old);
        timing.put("new_leader", nextName);
        timing.put("master_in", nextName.equals(old) ? "the killed broker's own pod (restarted, took the free Lease)"
                : "the standby (the killed broker's labeler released the Lease once the kubelet reported it ended)");
        timing.put("kubelet_restarts_before", restarts);
        timing.put("standby_active_ms", active - made);
        timing.put("labeled_seen_ms", labeled - made);
        timing.put("clients_served_by_ms", Collections.max(served.values()));
        timing.put("clients_served_by_protocol_ms", served);
        timing.put("new_master_holds_lease_ms", holdsLeaseAt(next).map(t -> t - made).orElse(-1L));
        timing.put("halts_seen", halts(made));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlapsSince(made).size());
        record("broker_sigkill", timing, made);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        long bound = KUBELET_RELIST_MS + LABELER_RECHECK_MS + settings.acquireMs() + ALLOWANCE_MS;
        assertThat(active - made).as("a broker master again: %s", timing).isLessThanOrEqualTo(bound);
        assertThat(Collections.max(served.values())).as("clients served through the Service again: %s", timing)
                .isLessThanOrEqualTo(bound);
        return timing;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Takeovers: the old master's Lease expires, the new holder's labeler fences the old pod.

    /**
     * Only the leader's broker stopped (SIGSTOP of its container's processes) for longer than the Lease, its labeler
     * running: silence no longer releases the Lease, so the standby takes it over once expired, its labeler deletes
     * the old pod (grace 1 s) and its broker opens the store once the kubelet reports that pod's containers ended. The
     * frozen processes are then resumed (SIGCONT): by then the kubelet has killed them, and SIGCONT finds nothing (a
     * survivor would be resumed and must do no harm). The old pod's UID is gone, its processes were seen dead before
     * the new master logged holding the Lease, the new master stays. Bounds as {@link #assertTakenOver}.
     */
    Map<String, Object> brokerFrozen(Pod leader, int repeat) {
        Takeover takeover = Takeover.begin(this, "broker_sigstop_then_sigcont", leader, repeat, l -> {
            List<RealNode.NodeProcess> frozen = RealNode.freezeProcesses(List.of(NodeExample.broker(l).getContainerID()));
            return () -> RealNode.thawSurvivors(frozen).size();
        });
        takeover.repair();
        Map<String, Object> timing = takeover.settle();
        takeover.assertFenced(timing);
        assertTakenOver(timing);
        return timing;
    }

    /**
     * As {@link #brokerFrozen}, but after the takeover the new master is stopped cleanly before the first frozen
     * broker is resumed: its pod is deleted with its normal grace period, its broker closes the store and releases the
     * Lease (its own clean stop), and the frozen processes are resumed (SIGCONT) the moment the Lease is seen leaving
     * it. A third broker (the replacement of the first pod, or of the second) takes the free Lease; never two accept,
     * and its store opens clean.
     */
    Map<String, Object> brokerFrozenThenNewMasterStopped(Pod leader, int repeat) {
        Takeover takeover = Takeover.begin(this, "broker_sigstop_new_master_stopped_then_sigcont", leader, repeat, l -> {
            List<RealNode.NodeProcess> frozen = RealNode.freezeProcesses(List.of(NodeExample.broker(l).getContainerID()));
            return () -> RealNode.thawSurvivors(frozen).size();
        });
        Pod second = takeover.next;
        String secondName = second.getMetadata().getName();
        String secondIdentity = identity(second);
        Map<String, Object> timing = takeover.settle();
        takeover.assertFenced(timing);
        assertTakenOver(timing);
        long stopAsked = System.currentTimeMillis();
        plane.kubectl().succeed("delete", "pod", "-n", NodeExample.NAMESPACE, secondName, "--wait=false");
        Await.untilTrue(secondName + " to release the Lease at its clean stop", SCENARIO,
                () -> !holder().equals(secondIdentity), this::describe);
        long released = System.currentTimeMillis();
        takeover.repair();
        long resumed = System.currentTimeMillis();
        Pod third = Await.until("a third broker master", READY, () -> example.leaders().stream()
                .filter(p -> !Set.of(takeover.old, secondName).contains(p.getMetadata().getName()))
                .filter(p -> sampler.firstAccepting(p.getMetadata().getName(), stopAsked).isPresent()).findFirst(),
                this::describe);
        String thirdName = third.getMetadata().getName();
        long secondLast = sampler.lastAccepting(secondName, stopAsked, Long.MAX_VALUE).orElse(stopAsked);
        long thirdActive = sampler.firstAccepting(thirdName, stopAsked).orElseThrow();
        Map<String, Long> served = served(takeover.madeNanos, secondLast + MasterSampler.PERIOD_MS + MasterSampler.ANSWER_MS,
                takeover.made);
        settledOn(third);
        PodHistory.End secondEnd = Await.until(secondName + "'s broker container ended", SCENARIO,
                () -> history.endsSince(NodeExample.BROKER, stopAsked).stream()
                        .filter(e -> e.pod().equals(secondName)).findFirst(), this::describe);
        timing.put("second_master_stop_asked_ms", stopAsked - takeover.made);
        timing.put("second_master_stopped_accepting_ms", secondLast - takeover.made);
        timing.put("second_master_released_lease_seen_ms", released - takeover.made);
        timing.put("second_master_exit_code", secondEnd.exitCode());
        timing.put("repaired_ms", resumed - takeover.made);
        timing.put("third_master", thirdName);
        timing.put("third_master_active_ms", thirdActive - takeover.made);
        timing.put("third_master_holds_lease_ms", holdsLeaseAt(third).map(t -> t - takeover.made).orElse(-1L));
        timing.put("third_master_clients_served_by_ms", Collections.max(served.values()));
        timing.put("resumed_processes", takeover.resumedProcesses);
        timing.put("halts_seen", halts(takeover.made));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlapsSince(takeover.made).size());
        timing.put("old_broker_accepting_rounds_after_repair", sampler.acceptingRounds(takeover.old, resumed));
        System.out.printf("lease scenario %s (third master): %s%n", takeover.name, timing);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(sampler.acceptingRounds(takeover.old, resumed)).as("%s's broker accepting after the SIGCONT",
                takeover.old).isZero();
        assertThat(takeover.resumedProcesses).as("stopped processes still there to resume (SIGCONT): %s", timing)
                .isZero();
        assertThat(secondEnd.exitCode()).as("%s's broker stopped cleanly, not halted: %s", secondName, timing)
                .isNotEqualTo(70);
        return timing;
    }

    /**
     * Every process of the leader's pod stopped (SIGSTOP of its broker and labeler containers), as on a hung node: its
     * sockets stay open and nothing renews the Lease. The standby takes it over once expired, its labeler deletes the
     * frozen pod (grace 1 s: its kubelet kills the stopped processes without their ever running again) and its broker
     * opens the store once that kubelet reports the containers ended. Then the frozen processes are resumed (SIGCONT)
     * instead of the pod being deleted by hand: safe, because the fence already killed them.
     */
    Map<String, Object> podFrozen(Pod leader, int repeat) {
        Takeover takeover = Takeover.begin(this, "pod_sigstop_then_sigcont", leader, repeat, l -> {
            List<RealNode.NodeProcess> frozen = RealNode.freezeProcesses(List.of(NodeExample.broker(l).getContainerID(),
                    NodeExample.labeler(l).getContainerID()));
            return () -> RealNode.thawSurvivors(frozen).size();
        });
        takeover.repair();
        Map<String, Object> timing = takeover.settle();
        takeover.assertFenced(timing);
        assertTakenOver(timing);
        return timing;
    }

    /**
     * The leader's labeler stopped (SIGSTOP): its broker's renewals go unanswered, so the broker halts (exit 70)
     * {@code D - M} after its last confirmed renewal was sent, and the standby takes the expired Lease over and fences
     * the old pod. A killed labeler would be restarted by the kubelet within a renewal or two and go on renewing; a
     * hung one is the case that needs the bound.
     */
    Map<String, Object> labelerFrozen(Pod leader) {
        Takeover takeover = Takeover.begin(this, "labeler_sigstop", leader, null, l -> {
            List<RealNode.NodeProcess> frozen = RealNode.freezeProcesses(List.of(NodeExample.labeler(l).getContainerID()));
            return () -> RealNode.thawSurvivors(frozen).size();
        });
        takeover.repair();
        Map<String, Object> timing = takeover.settle();
        takeover.assertFenced(timing);
        assertTakenOver(timing);
        assertHalted(timing, takeover.old);
        return timing;
    }

    /**
     * The leader's pod cut off from the API server (its packets to the kubernetes Service dropped in the pod's network
     * namespace): its labeler can neither renew nor relabel, so its broker halts as in {@link #labelerFrozen}, and the
     * standby takes over and fences the pod (its kubelet, which reaches the API server, kills it).
     */
    Map<String, Object> podCutOffFromApi(Pod leader) {
        String apiAddress = plane.client().services().inNamespace("default").withName("kubernetes").get().getSpec()
                .getClusterIP();
        Takeover takeover = Takeover.begin(this, "pod_cut_off_from_api", leader, null, l -> {
            RealNode.NodeProcess inPod = RealNode.processes(List.of(NodeExample.labeler(l).getContainerID())).get(0);
            List<String> rule = List.of("OUTPUT", "-d", apiAddress, "-p", "tcp", "-j", "DROP");
            podIptables(inPod.pid(), "-I", rule);
            return () -> {
                // The fence deleted the pod: its network namespace went with it, nothing to repair.
                if (inPod.alive()) {
                    podIptables(inPod.pid(), "-D", rule);
                }
                return 0;
            };
        });
        takeover.repair();
        Map<String, Object> timing = takeover.settle();
        takeover.assertFenced(timing);
        assertTakenOver(timing);
        assertHalted(timing, takeover.old);
        return timing;
    }

    private static void podIptables(long pid, String action, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "iptables", "-w", action));
        command.addAll(rule);
        CommandResult result = Commands.run(command, Map.of(), Duration.ofSeconds(20));
        assertThat(result.exitCode()).as("%s: %s", command, result.stderr()).isZero();
    }

    /**
     * A takeover after expiry plus the fence. Expiry: the standby's labeler takes the Lease once it has seen its
     * record unchanged for {@code D}; it saw the last renewal no sooner than it was written, at most {@code K + R}
     * before the fault ({@link Settings#renewalSpacingMs}), and no later than its next request ({@code A}) after the
     * fault. The fence then waits for the old pod's kubelet (or {@code D} at most), and the broker opens the store at
     * its next request. So the standby is active no sooner than {@code D - (K + R)} after the fault and no later than
     * {@code 2 D + A + allowance}.
     */
    private void assertTakenOver(Map<String, Object> timing) {
        long active = (long) timing.get("standby_active_ms");
        assertThat(active).as("taken over after expiry plus the fence: %s", timing)
                .isGreaterThanOrEqualTo(settings.durationMs() - settings.renewalSpacingMs())
                .isLessThanOrEqualTo(2 * settings.durationMs() + settings.acquireMs() + ALLOWANCE_MS);
    }

    /**
     * The old broker, which kept running, halted (exit 70) on its own: at most {@code D - M} after its last confirmed
     * renewal was sent, which was before the fault (plus {@value #HALT_ALLOWANCE_MS} ms), and before the standby was
     * active.
     */
    private void assertHalted(Map<String, Object> timing, String old) {
        long stopped = (long) timing.get("old_broker_stopped_accepting_ms");
        assertThat(stopped).as("the old broker stopped accepting at its deadline, before the takeover: %s", timing)
                .isLessThanOrEqualTo(settings.durationMs() - settings.marginMs() + HALT_ALLOWANCE_MS)
                .isLessThan((long) timing.get("standby_active_ms"));
        @SuppressWarnings("unchecked")
        List<String> halts = (List<String>) timing.get("halts_seen");
        assertThat(halts).as("the old broker halted with exit status 70 (the kubelet's report): %s", timing)
                .contains(old);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The StatefulSet: a force-deleted frozen leader.

    /**
     * StatefulSet form: every process of the leader's pod stopped, then the pod force-deleted
     * ({@code --grace-period=0 --force}): the API object goes at once, the StatefulSet recreates the pod under the same
     * name with a new UID (a new Lease holder), and the old pod's kubelet kills the frozen processes on its own, but
     * never reports it: there is no pod left to report on. So the fence has no confirmation to wait for and waits its
     * bound. Nobody may open the store before expiry ({@code D} after the last renewal, written at most {@code K + R}
     * before the freeze) plus that bound ({@code D}): no broker accepts sooner than {@code 2 D - (K + R)} after the
     * freeze, none later than {@code 2 D + A + allowance}, never two at once, and the frozen leftovers are gone (the
     * kubelet's doing) before the new master held the Lease; a SIGCONT then finds none.
     */
    Map<String, Object> forceDeletedFrozenLeader(Pod leader, int repeat) {
        String old = leader.getMetadata().getName();
        String oldUid = leader.getMetadata().getUid();
        String oldIp = leader.getStatus().getPodIP();
        List<RealNode.NodeProcess> frozen = RealNode.freezeProcesses(List.of(NodeExample.broker(leader).getContainerID(),
                NodeExample.labeler(leader).getContainerID()));
        // The fault's moment: from now on the frozen broker cannot answer a sampling round.
        long made = System.currentTimeMillis();
        long madeNanos = System.nanoTime();
        ProcessWatch leftovers = ProcessWatch.start(frozen);
        plane.kubectl().succeed("delete", "pod", "-n", NodeExample.NAMESPACE, old, "--grace-period=0", "--force",
                "--wait=false");
        long deleted = System.currentTimeMillis();
        MasterSampler.Sample first = Await.until("a broker master again after the force deletion", SCENARIO,
                () -> sampler.firstAcceptingAny(made), this::describe);
        String nextName = MasterSampler.podOf(first.accepting().iterator().next());
        long active = first.epochMillis();
        long gone = leftovers.awaitGone(SCENARIO, this::describe);
        int resumed = RealNode.thawSurvivors(frozen).size();
        long repaired = System.currentTimeMillis();
        Map<String, Long> served = served(madeNanos, made + 100, made);
        Pod next = settledOn(example.awaitSteadyState(READY));
        Pod recreated = example.pod(old);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "statefulset_frozen_leader_force_deleted");
        timing.put("form", form);
        timing.put("repeat", repeat);
        timing.put("old_leader", old);
        timing.put("old_uid", oldUid);
        timing.put("new_leader", next.getMetadata().getName());
        timing.put("new_leader_is_the_recreated_pod", next.getMetadata().getName().equals(old));
        timing.put("recreated_uid", recreated == null ? "" : recreated.getMetadata().getUid());
        timing.put("old_ip", oldIp);
        timing.put("recreated_ip", recreated == null ? "" : recreated.getStatus().getPodIP());
        timing.put("force_deleted_ms", deleted - made);
        timing.put("standby_active_ms", active - made);
        timing.put("new_master_holds_lease_ms", holdsLeaseAt(next).map(t -> t - made).orElse(-1L));
        timing.put("clients_served_by_ms", Collections.max(served.values()));
        timing.put("old_processes_last_seen_alive_ms", leftovers.lastSeenAlive() - made);
        timing.put("old_processes_gone_ms", gone - made);
        timing.put("repaired_ms", repaired - made);
        timing.put("resumed_processes", resumed);
        timing.put("halts_seen", halts(made));
        timing.put("old_address_accepting_rounds", sampler.acceptingRoundsAt(oldIp, made));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlapsSince(made).size());
        record("statefulset_frozen_leader_force_deleted", timing, made);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(nextName).as("the first broker to accept is the new master: %s", timing)
                .isEqualTo(next.getMetadata().getName());
        assertThat(recreated).as("the StatefulSet recreated %s", old).isNotNull();
        assertThat(recreated.getMetadata().getUid()).as("the recreated %s is a new pod", old).isNotEqualTo(oldUid);
        assertThat(active - made).as("nobody opened the store before expiry plus the fence's bound: %s", timing)
                .isGreaterThanOrEqualTo(2 * settings.durationMs() - settings.renewalSpacingMs())
                .isLessThanOrEqualTo(2 * settings.durationMs() + settings.acquireMs() + ALLOWANCE_MS);
        if (!oldIp.equals(recreated.getStatus().getPodIP())) {
            assertThat(sampler.acceptingRoundsAt(oldIp, made)).as("the frozen broker at %s accepted", oldIp).isZero();
        }
        assertThat(resumed).as("frozen processes left to resume after the kubelet's kill").isZero();
        assertThat(leftovers.lastSeenAlive()).as("the frozen processes were last seen alive before the new master held"
                + " the Lease: %s", timing).isLessThan(holdsLeaseAt(next).orElseThrow());
        return timing;
    }

    // ---------------------------------------------------------------------------------------------------------
    // A second HA group on the store.

    /**
     * A second Deployment of the example under another name (another HA group, so another Lease) on the same claim
     * ({@code overlay}, e2e/node/lease-second-group): its broker is granted its own Lease at once, finds the store
     * recorded as guarded by the first group's Lease and refuses to start ("two HA groups must not share one store");
     * its container ends and the kubelet restarts it. It never accepts a client; the first group's master, its Lease
     * and its clients are undisturbed. Then the second Deployment is deleted (only it: the ConfigMap is shared).
     */
    Map<String, Object> secondGroupOnTheStore(Pod leader, Path overlay, int repeat) {
        String master = leader.getMetadata().getName();
        String masterIdentity = identity(leader);
        int masterRestarts = NodeExample.broker(leader).getRestartCount();
        Map<String, Long> before = traffic.acknowledgedPerProtocol();
        long made = System.currentTimeMillis();
        plane.kubectl().succeed("apply", "-k", overlay.toString());
        Pod refused = Await.until("the second group's broker to refuse the store", READY,
                () -> secondGroupPods().stream().filter(p -> refusalLog(p).contains(SHARED_STORE_LINE)).findFirst(),
                this::describe);
        long refusedSeen = System.currentTimeMillis();
        String refusedName = refused.getMetadata().getName();
        // The refusal ends the broker process: the kubelet reports the container ended and restarts it.
        PodHistory.End end = Await.until(refusedName + "'s broker container ended", Duration.ofSeconds(90),
                () -> history.endsSince(NodeExample.BROKER, made).stream().filter(e -> e.pod().equals(refusedName))
                        .findFirst(), this::describe);
        long ended = System.currentTimeMillis();
        String log = refusalLog(example.pod(refusedName));
        String secondHolder = holder(LeaseContract.leaseName(SECOND_GROUP));
        traffic.awaitEveryProtocolAcknowledgedMore(before, SCENARIO);
        plane.kubectl().succeed("delete", "deployment", "-n", NodeExample.NAMESPACE, SECOND_GROUP, "--wait=false");
        Await.untilTrue("the second group's pods gone", SCENARIO, () -> secondGroupPods().isEmpty(), this::describe);
        long removed = System.currentTimeMillis();
        Pod steady = example.awaitSteadyState(READY);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "second_group_on_the_store");
        timing.put("form", form);
        timing.put("repeat", repeat);
        timing.put("master", master);
        timing.put("second_group_pod", refusedName);
        timing.put("second_group_refusal_logged_seen_ms", refusedSeen - made);
        timing.put("second_group_broker_ended_seen_ms", ended - made);
        timing.put("second_group_broker_exit_code", end.exitCode());
        timing.put("second_group_lease_holder_after", secondHolder);
        timing.put("second_group_accepting_rounds", sampler.acceptingRounds(refusedName, made));
        timing.put("second_group_removed_ms", removed - made);
        timing.put("halts_seen", halts(made));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlapsSince(made).size());
        record("second_group_on_the_store", timing, made);
        assertThat(log).as("%s's broker log", refusedName).contains(SHARED_STORE_LINE)
                .doesNotContainIgnoringCase("Persistence Adapter successfully started");
        assertThat(sampler.acceptingRounds(refusedName, made)).as("rounds in which the second group's broker accepted")
                .isZero();
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(steady.getMetadata().getName()).as("the first group's master").isEqualTo(master);
        assertThat(holder()).as("the first group's Lease").isEqualTo(masterIdentity);
        assertThat(NodeExample.broker(steady).getRestartCount()).as("the first group's master broker restarts")
                .isEqualTo(masterRestarts);
        assertThat(sampler.lastAccepting(master, made, removed)).as("the master accepting throughout").isPresent();
        return timing;
    }

    /** The log of the broker that ran last in {@code pod}: the previous container's once the kubelet restarted it. */
    private String refusalLog(Pod pod) {
        Optional<io.fabric8.kubernetes.api.model.ContainerStatus> broker = pod == null || pod.getStatus() == null
                || pod.getStatus().getContainerStatuses() == null ? Optional.empty()
                : pod.getStatus().getContainerStatuses().stream().filter(c -> NodeExample.BROKER.equals(c.getName()))
                .findFirst();
        if (broker.isEmpty()) {
            return "";
        }
        return broker.get().getRestartCount() > 0 && broker.get().getState().getRunning() != null
                ? example.previousBrokerLog(pod) + example.brokerLog(pod) : example.brokerLog(pod);
    }

    private List<Pod> secondGroupPods() {
        return plane.client().pods().inNamespace(NodeExample.NAMESPACE).withLabel(NodeExample.APP, SECOND_GROUP).list()
                .getItems();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Half-sent requests.

    /**
     * {@value #HALF_SENT_CONNECTIONS} connections that send a request head without its end ({@code POST /lease
     * HTTP/1.1}, {@code Host}, and no blank line) held open for {@code hold} on the master's labeler health port (pod IP,
     * 8099, from the node's network), and {@value #HALF_SENT_CONNECTIONS} more on the lease port (127.0.0.1:8100 inside
     * the pod's network namespace, by {@code nsenter -n} and bash's {@code /dev/tcp}), each re-opened whenever the
     * server closes it. Meanwhile {@code GET /healthz} is asked on the health port every 100 ms on a new connection
     * (p99 within 1 s), and the Lease is read every 500 ms: the same holder throughout and renewed at least every
     * {@code D - M} (the gap between successive renewTimes, the labeler's clock). The master stays: its labeler not
     * restarted by its liveness probe, its broker not halted, no unanswered renewal in its log.
     */
    Map<String, Object> halfSentRequests(Pod leader, int repeat, Duration hold) throws Exception {
        String master = leader.getMetadata().getName();
        String address = leader.getStatus().getPodIP();
        String masterIdentity = identity(leader);
        int healthPort = LabelerContract.DEFAULT_HEALTH_PORT;
        int leasePort = LeaseContract.leasePort(healthPort);
        int labelerRestarts = NodeExample.labeler(leader).getRestartCount();
        int brokerRestarts = NodeExample.broker(leader).getRestartCount();
        long unansweredBefore = UNANSWERED.matcher(example.brokerLog(leader)).results().count();
        long made = System.currentTimeMillis();
        long end = made + hold.toMillis();
        AtomicInteger healthOpened = new AtomicInteger();
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < HALF_SENT_CONNECTIONS; i++) {
            Thread holder = new Thread(() -> holdHalfSent(address, healthPort, end, healthOpened), "half-sent-" + i);
            holder.setDaemon(true);
            holder.start();
            holders.add(holder);
        }
        long podPid = RealNode.pids(NodeExample.labeler(leader).getContainerID()).get(0);
        Process leaseHolders = new ProcessBuilder("nsenter", "-t", Long.toString(podPid), "-n", "bash", "-c",
                HALF_SENT_SCRIPT, "half-sent", Integer.toString(leasePort), Long.toString(hold.toSeconds()),
                Integer.toString(HALF_SENT_CONNECTIONS)).redirectErrorStream(true).start();
        List<String> leaseOutput = Collections.synchronizedList(new ArrayList<>());
        Thread leaseReader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(leaseHolders.getInputStream(),
                    StandardCharsets.UTF_8))) {
                lines.lines().forEach(leaseOutput::add);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "half-sent-lease-output");
        leaseReader.setDaemon(true);
        leaseReader.start();
        List<Long> latencies = new ArrayList<>();
        int failures = 0;
        Set<String> holdersSeen = new TreeSet<>();
        Set<Instant> renewals = new TreeSet<>();
        Set<String> leadersSeen = new TreeSet<>();
        long nextLeaseRead = 0;
        while (System.currentTimeMillis() < end) {
            long started = System.nanoTime();
            int status = healthz(address, healthPort);
            long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (status == 200) {
                latencies.add(latency);
            } else {
                failures++;
                latencies.add(Math.max(latency, 2000));
            }
            if (System.currentTimeMillis() >= nextLeaseRead) {
                nextLeaseRead = System.currentTimeMillis() + 500;
                Lease lease = plane.client().leases().inNamespace(NodeExample.NAMESPACE)
                        .withName(LeaseContract.leaseName(NodeExample.BROKER)).get();
                holdersSeen.add(lease.getSpec().getHolderIdentity());
                if (lease.getSpec().getRenewTime() != null) {
                    renewals.add(lease.getSpec().getRenewTime().toInstant());
                }
                example.leaders().forEach(p -> leadersSeen.add(p.getMetadata().getName()));
            }
            Thread.sleep(Math.max(0, 100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
        }
        for (Thread holder : holders) {
            holder.join(5000);
        }
        boolean leaseHoldersEnded = leaseHolders.waitFor(30, TimeUnit.SECONDS);
        if (!leaseHoldersEnded) {
            leaseHolders.destroyForcibly();
        }
        leaseReader.join(5000);
        Pod after = example.pod(master);
        long unansweredAfter = UNANSWERED.matcher(example.brokerLog(after)).results().count();
        List<Long> sorted = latencies.stream().sorted().toList();
        List<Instant> renewTimes = List.copyOf(renewals);
        long maxRenewalGap = 0;
        for (int i = 1; i < renewTimes.size(); i++) {
            maxRenewalGap = Math.max(maxRenewalGap, Duration.between(renewTimes.get(i - 1), renewTimes.get(i)).toMillis());
        }
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "half_sent_requests");
        timing.put("form", form);
        timing.put("repeat", repeat);
        timing.put("master", master);
        timing.put("held_ms", hold.toMillis());
        timing.put("health_port_half_sent_connections_opened", healthOpened.get());
        timing.put("lease_port_half_sent_connections_opened", leaseOutput.stream().filter("open"::equals).count());
        timing.put("healthz_requests", latencies.size());
        timing.put("healthz_failures", failures);
        timing.put("healthz_p50_ms", percentile(sorted, 50));
        timing.put("healthz_p99_ms", percentile(sorted, 99));
        timing.put("healthz_max_ms", sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
        timing.put("lease_renewals_seen", renewTimes.size());
        timing.put("lease_max_renewal_gap_ms", maxRenewalGap);
        timing.put("lease_holders_seen", holdersSeen);
        timing.put("leaders_seen", leadersSeen);
        timing.put("labeler_restarts", NodeExample.labeler(after).getRestartCount() - labelerRestarts);
        timing.put("broker_restarts", NodeExample.broker(after).getRestartCount() - brokerRestarts);
        timing.put("unanswered_renewal_lines", unansweredAfter - unansweredBefore);
        timing.put("halts_seen", halts(made));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlapsSince(made).size());
        record("half_sent_requests", timing, made);
        assertThat(leaseOutput).as("the lease port's half-sent connections (nsenter into %s)", master).contains("open");
        assertThat(healthOpened.get()).as("half-sent connections opened on the health port")
                .isGreaterThanOrEqualTo(HALF_SENT_CONNECTIONS);
        assertThat(percentile(sorted, 99)).as("/healthz p99 while half-sent requests were held: %s", timing)
                .isLessThanOrEqualTo(1000);
        assertThat(holdersSeen).as("the Lease's holder throughout").containsExactly(masterIdentity);
        assertThat(leadersSeen).as("the leader throughout").containsExactly(master);
        assertThat(maxRenewalGap).as("the longest time between two renewals: %s", timing)
                .isLessThan(settings.durationMs() - settings.marginMs());
        assertThat(NodeExample.labeler(after).getRestartCount()).as("labeler restarts").isEqualTo(labelerRestarts);
        assertThat(NodeExample.broker(after).getRestartCount()).as("broker restarts (a halt)").isEqualTo(brokerRestarts);
        assertThat(unansweredAfter - unansweredBefore).as("unanswered renewals in %s's broker log", master).isZero();
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(example.awaitSteadyState(READY).getMetadata().getName()).as("the master").isEqualTo(master);
        return timing;
    }

    /**
     * bash, inside the pod's network namespace: {@code $3} loops, each connecting to 127.0.0.1:{@code $1}, printing
     * "open", sending a request head without its end and reading until the server closes the connection, again and
     * again until {@code $2} seconds have passed.
     */
    private static final String HALF_SENT_SCRIPT = """
            port=$1 end=$((SECONDS + $2))
            hold() {
                while [ "$SECONDS" -lt "$end" ]; do
                    {
                        echo open
                        printf 'POST /lease HTTP/1.1\\r\\nHost: x\\r\\n' >&3
                        left=$((end - SECONDS))
                        if [ "$left" -gt 0 ]; then timeout "$left" cat <&3 >/dev/null; fi
                    } 3<>"/dev/tcp/127.0.0.1/$port" || sleep 0.2
                done
            }
            for i in $(seq "$3"); do hold & done
            wait
            """;

    /** Holds a half-sent request open on {@code address:port} until {@code end}, re-opening it whenever it is closed. */
    private static void holdHalfSent(String address, int port, long end, AtomicInteger opened) {
        while (System.currentTimeMillis() < end) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 1000);
                OutputStream out = socket.getOutputStream();
                out.write("POST /lease HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                opened.incrementAndGet();
                socket.setSoTimeout(500);
                InputStream in = socket.getInputStream();
                while (System.currentTimeMillis() < end) {
                    try {
                        if (in.read() < 0) {
                            break;
                        }
                    } catch (SocketTimeoutException stillOpen) {
                        // held
                    }
                }
            } catch (IOException closed) {
                pause(100);
            }
        }
    }

    /** {@code GET /healthz} on a new connection; the status, or -1 without an answer within 2 s. */
    private static int healthz(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return statusLine == null ? -1 : Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException | RuntimeException noAnswer) {
            return -1;
        }
    }

    private static long percentile(List<Long> sorted, int percent) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The API server stopped.

    /**
     * The API server stopped (SIGSTOP) for longer than the Lease, then resumed. No one can prove they hold the Lease
     * meanwhile, so the master halts (exit 70) once its last confirmed renewal runs out ({@code D - M} after it was
     * sent), and nobody takes over: the group has no master until the API server is back, then exactly one again (the
     * documented trade-off).
     */
    Map<String, Object> apiServerStopped(Pod leader, Duration outage) throws InterruptedException {
        String old = leader.getMetadata().getName();
        ChildProcess apiServer = plane.processes().stream().filter(p -> p.name().equals("kube-apiserver")).findFirst()
                .orElseThrow();
        long made = System.currentTimeMillis();
        List<Long> frozen = List.of(apiServer.pid());
        RealNode.stop(frozen);
        long resumed;
        try {
            Thread.sleep(outage.toMillis());
        } finally {
            resumed = System.currentTimeMillis();
            RealNode.thaw(frozen);
        }
        // Right after the resume the API server still shows the state from before the outage (the halted master
        // labeled leader=yes and the Service's endpoint): steady only once a broker accepts clients again.
        long since = resumed;
        String master = Await.until("a broker accepting clients after the API server is back", SCENARIO,
                () -> example.pods().stream().map(p -> p.getMetadata().getName())
                        .filter(name -> sampler.firstAccepting(name, since).isPresent()).findFirst(), this::describe);
        Pod steady = Await.until("the steady state on " + master, SCENARIO, () -> Optional.of(
                example.awaitSteadyState(READY)).filter(p -> p.getMetadata().getName().equals(master)), this::describe);
        long settled = System.currentTimeMillis();
        assertStoreOpenedClean(steady);
        Await.untilTrue(old + "'s halt reported by its kubelet", SCENARIO, () -> halts(made).contains(old),
                this::describe);
        long stopped = sampler.lastAccepting(old, made, resumed).orElseThrow(
                () -> new AssertionError(old + "'s broker accepted no client after the API server stopped: the sampler"
                        + " or the fault is broken"));
        long back = sampler.samples().stream().filter(s -> s.epochMillis() >= resumed && !s.accepting().isEmpty())
                .mapToLong(MasterSampler.Sample::epochMillis).min().orElse(settled);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "api_server_stopped");
        timing.put("form", form);
        timing.put("old_leader", old);
        timing.put("new_leader", steady.getMetadata().getName());
        timing.put("api_server_resumed_ms", resumed - made);
        timing.put("old_broker_stopped_accepting_ms", stopped - made);
        timing.put("a_broker_accepting_again_ms", back - made);
        timing.put("steady_ms", settled - made);
        timing.put("halts_seen", halts(made));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlapsSince(made).size());
        record("api_server_stopped", timing, made);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(stopped - made).as("the master stopped during the outage, once its Lease ran out: %s", timing)
                .isLessThanOrEqualTo(settings.durationMs() - settings.marginMs() + HALT_ALLOWANCE_MS)
                .isLessThan(resumed - made);
        List<MasterSampler.Sample> during = sampler.samples().stream()
                .filter(s -> s.epochMillis() > made && s.epochMillis() < resumed).toList();
        assertThat(during).as("sampling rounds during the outage").hasSizeGreaterThan((int) (outage.toMillis() / (4L * MasterSampler.PERIOD_MS)));
        assertThat(during.stream().filter(s -> s.epochMillis() > stopped).allMatch(s -> s.accepting().isEmpty()))
                .as("no master while the API server was stopped, once the old one stopped: %s", timing).isTrue();
        return timing;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shared steps.

    /**
     * A fault on the leader that ends in a takeover: made, then awaited until another pod is labeled leader and its
     * broker accepts; {@link #repair} undoes what can be undone, {@link #settle} measures and checks what follows.
     */
    private static final class Takeover {
        private final LeaseFailover run;
        private final String name;
        private final Integer repeat;
        private final String old;
        private final String oldUid;
        private final long made;
        private final long madeNanos;
        private final ProcessWatch oldProcesses;
        private final Repair repair;
        private final Pod next;
        private final long labeled;
        private final long active;
        private long repaired;
        private int resumedProcesses;

        private Takeover(LeaseFailover run, String name, Integer repeat, Pod leader, long made, long madeNanos,
                         ProcessWatch oldProcesses, Repair repair, Pod next, long labeled, long active) {
            this.run = run;
            this.name = name;
            this.repeat = repeat;
            this.old = leader.getMetadata().getName();
            this.oldUid = leader.getMetadata().getUid();
            this.made = made;
            this.madeNanos = madeNanos;
            this.oldProcesses = oldProcesses;
            this.repair = repair;
            this.next = next;
            this.labeled = labeled;
            this.active = active;
        }

        static Takeover begin(LeaseFailover run, String name, Pod leader, Integer repeat, Fault fault) {
            String old = leader.getMetadata().getName();
            ProcessWatch oldProcesses = ProcessWatch.start(RealNode.processes(List.of(
                    NodeExample.broker(leader).getContainerID(), NodeExample.labeler(leader).getContainerID())));
            Repair repair = fault.make(leader);
            // The fault's moment is when it took effect: sampling rounds from now on cannot reach the old broker
            // as it was (finding a container's processes takes a scan of /proc first).
            long made = System.currentTimeMillis();
            long madeNanos = System.nanoTime();
            try {
                Pod next = Await.until("another pod labeled leader=yes after " + name, SCENARIO, () -> run.example
                        .leaders().stream().filter(p -> !p.getMetadata().getName().equals(old)).findFirst(), run::describe);
                long labeled = System.currentTimeMillis();
                String nextName = next.getMetadata().getName();
                long active = Await.until(nextName + "'s broker accepting clients", SCENARIO,
                        () -> run.sampler.firstAccepting(nextName, made), run::describe);
                return new Takeover(run, name, repeat, leader, made, madeNanos, oldProcesses, repair, next, labeled,
                        active);
            } catch (RuntimeException | Error failed) {
                repair.run();
                throw failed;
            }
        }

        void repair() {
            repaired = System.currentTimeMillis();
            resumedProcesses = repair.run();
        }

        /** The takeover's figures, without settling on the new master. */
        Map<String, Object> measure() {
            long oldLast = run.sampler.lastAccepting(old, made, active).orElse(made);
            long gone = oldProcesses.awaitGone(SCENARIO, run::describe);
            long deleted = Await.until(old + "'s pod deleted by the fence", SCENARIO, () -> run.history.deleted(oldUid),
                    run::describe);
            Map<String, Object> timing = new LinkedHashMap<>();
            timing.put("scenario", name);
            timing.put("form", run.form);
            if (repeat != null) {
                timing.put("repeat", repeat);
            }
            timing.put("old_leader", old);
            timing.put("old_uid", oldUid);
            timing.put("new_leader", next.getMetadata().getName());
            timing.put("old_broker_stopped_accepting_ms", oldLast - made);
            timing.put("standby_active_ms", active - made);
            timing.put("labeled_seen_ms", labeled - made);
            timing.put("new_master_holds_lease_ms", run.holdsLeaseAt(next).map(t -> t - made).orElse(-1L));
            timing.put("old_pod_deleted_seen_ms", deleted - made);
            timing.put("old_processes_last_seen_alive_ms", oldProcesses.lastSeenAlive() - made);
            timing.put("old_processes_gone_ms", gone - made);
            return timing;
        }

        /**
         * Measures, settles on the new master (clients served, steady, its store clean) and records the figures (the
         * map stays the report's: what a caller adds later is written too).
         */
        Map<String, Object> settle() {
            Map<String, Object> timing = measure();
            long oldLast = made + (long) timing.get("old_broker_stopped_accepting_ms");
            // Acknowledged after the old broker's last accepting round plus one more round: stored by the new master.
            Map<String, Long> served = run.served(madeNanos,
                    Math.max(made + 100, oldLast + MasterSampler.PERIOD_MS + MasterSampler.ANSWER_MS), made);
            run.settledOn(next);
            timing.put("clients_served_by_ms", Collections.max(served.values()));
            timing.put("clients_served_by_protocol_ms", served);
            if (repaired != 0) {
                timing.put("repaired_ms", repaired - made);
                timing.put("resumed_processes", resumedProcesses);
                timing.put("old_broker_accepting_rounds_after_repair", run.sampler.acceptingRounds(old, repaired));
            }
            timing.put("halts_seen", run.halts(made));
            timing.put("rounds_with_two_brokers_accepting", run.sampler.overlapsSince(made).size());
            run.record(name, timing, made);
            assertThat(run.sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
            if (repaired != 0) {
                assertThat(run.sampler.acceptingRounds(old, repaired)).as("%s's broker accepting clients after the"
                        + " repair", old).isZero();
            }
            return timing;
        }

        /**
         * The fence did its work: the old pod (that UID) was deleted, and its processes were last seen alive before
         * the new master logged holding the Lease (and so before it opened the store).
         */
        void assertFenced(Map<String, Object> timing) {
            assertThat(run.history.deleted(oldUid)).as("%s (%s) deleted", old, oldUid).isPresent();
            Pod now = run.example.pod(old);
            assertThat(now == null || !oldUid.equals(now.getMetadata().getUid())).as("%s's UID gone", old).isTrue();
            long holds = (long) timing.get("new_master_holds_lease_ms");
            assertThat(holds).as("the new master's '%s' line: %s", HOLDS_LINE, timing).isNotNegative();
            assertThat((long) timing.get("old_processes_last_seen_alive_ms"))
                    .as("the old pod's processes were last seen alive before the new master held the Lease: %s", timing)
                    .isLessThan(holds);
            if (repaired != 0) {
                assertThat(resumedProcesses).as("stopped processes still there to resume (SIGCONT): %s", timing).isZero();
            }
        }
    }

    /** What a scenario does: makes the fault on the leader and returns how to repair it. */
    private interface Fault {
        Repair make(Pod leader);
    }

    /** Undoes a fault where it can; returns how many stopped processes it resumed. */
    private interface Repair {
        int run();
    }

    /** Polls whether processes still exist, every 50 ms, on a thread of its own. */
    static final class ProcessWatch {
        private final List<RealNode.NodeProcess> processes;
        private volatile long lastSeenAlive = System.currentTimeMillis();
        private volatile long goneAt;

        private ProcessWatch(List<RealNode.NodeProcess> processes) {
            this.processes = List.copyOf(processes);
        }

        static ProcessWatch start(List<RealNode.NodeProcess> processes) {
            ProcessWatch watch = new ProcessWatch(processes);
            Thread thread = new Thread(watch::poll, "process-watch");
            thread.setDaemon(true);
            thread.start();
            return watch;
        }

        private void poll() {
            while (goneAt == 0) {
                long now = System.currentTimeMillis();
                if (processes.stream().anyMatch(RealNode.NodeProcess::alive)) {
                    lastSeenAlive = now;
                } else {
                    goneAt = now;
                    return;
                }
                pause(50);
            }
        }

        /** When a poll last found one of them alive (epoch ms). */
        long lastSeenAlive() {
            return lastSeenAlive;
        }

        /** Waits until none is left; returns when that was first seen (epoch ms). */
        long awaitGone(Duration timeout, java.util.function.Supplier<String> detail) {
            Await.untilTrue("processes " + processes + " gone", timeout, () -> goneAt != 0, detail);
            return goneAt;
        }
    }

    /**
     * When every protocol's producer had a send acknowledged at or after {@code fromMillis} (epoch ms), in ms after
     * {@code madeMillis}; {@code madeNanos} is {@code madeMillis} on {@link System#nanoTime}.
     */
    private Map<String, Long> served(long madeNanos, long fromMillis, long madeMillis) {
        long fromNanos = madeNanos + TimeUnit.MILLISECONDS.toNanos(fromMillis - madeMillis);
        Map<String, Long> first = traffic.awaitEveryProtocolAcknowledgedSince(fromNanos, SCENARIO);
        Map<String, Long> served = new TreeMap<>();
        first.forEach((protocol, nanos) -> served.put(protocol, TimeUnit.NANOSECONDS.toMillis(nanos - madeNanos)));
        return served;
    }

    /**
     * After a failover to {@code master}: the group is steady with it as the leader and the Lease's holder (that pod
     * instance), and its store opened clean.
     */
    private Pod settledOn(Pod master) {
        String name = master.getMetadata().getName();
        Pod steady = example.awaitSteadyState(READY);
        assertThat(steady.getMetadata().getName()).as("the new master stays").isEqualTo(name);
        String holder = holder();
        assertThat(LeaseContract.podNameOf(holder)).as("the Lease's holder").isEqualTo(name);
        assertThat(LeaseContract.podUidOf(holder)).as("the Lease's holder's UID").isEqualTo(steady.getMetadata().getUid());
        assertStoreOpenedClean(steady);
        return steady;
    }

    /** The master's KahaDB opened without finding corrupt journal records or a broken index. */
    private void assertStoreOpenedClean(Pod master) {
        String log = example.brokerLog(master);
        assertThat(log).as("%s's broker log", master.getMetadata().getName()).containsIgnoringCase("Persistence Adapter successfully started")
                .doesNotContainIgnoringCase("corrupt").doesNotContainIgnoringCase("Failed to load");
    }

    /** When {@code pod}'s current broker logged holding the Lease (epoch ms, the container runtime's time stamp). */
    private Optional<Long> holdsLeaseAt(Pod pod) {
        return example.brokerLogged(pod, HOLDS_LINE).map(Instant::toEpochMilli);
    }

    /** The pods whose broker was seen halted (exit 70, the lease locker's) since {@code sinceMillis}. */
    private List<String> halts(long sinceMillis) {
        return history.endsSince(NodeExample.BROKER, sinceMillis).stream().filter(e -> e.exitCode() == 70)
                .map(PodHistory.End::pod).toList();
    }

    private void record(String name, Map<String, Object> timing, long madeMillis) {
        List<Long> rounds = sampler.samples().stream().map(MasterSampler.Sample::epochMillis)
                .filter(t -> t >= madeMillis).toList();
        long longest = 0;
        for (int i = 1; i < rounds.size(); i++) {
            longest = Math.max(longest, rounds.get(i) - rounds.get(i - 1));
        }
        timing.put("sampling_rounds", rounds.size());
        timing.put("sampling_longest_round_ms", longest);
        report.add(timing);
        System.out.printf("lease scenario %s: %s%n", name, timing);
    }

    /** The pod's injected lease locker: the jar where the broker loads it and the labeler in lease mode. */
    void assertLeaseInjected(Pod pod) {
        String name = pod.getMetadata().getName();
        assertThat(pod.getSpec().getInitContainers()).extracting(c -> c.getName()).first()
                .isEqualTo(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
        assertThat(plane.kubectl("exec", "-n", NodeExample.NAMESPACE, name, "-c", NodeExample.BROKER, "--", "ls",
                LeaseContract.DEFAULT_LOCKER_LIB_DIR + "/activemq-ha-lease-locker.jar").exitCode())
                .as("the locker jar in %s's broker container", name).isZero();
        assertThat(pod.getSpec().getInitContainers()).filteredOn(c -> LabelerContract.CONTAINER_NAME.equals(c.getName()))
                .singleElement().satisfies(c -> assertThat(c.getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo(LeaseContract.ENV_LEASE_GROUP);
                    assertThat(e.getValue()).isEqualTo(NodeExample.BROKER);
                }));
        assertThat(pod.getSpec().getContainers()).filteredOn(c -> NodeExample.BROKER.equals(c.getName()))
                .singleElement().satisfies(c -> assertThat(c.getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo(LeaseContract.ENV_LEASE_URL);
                    assertThat(e.getValue()).isEqualTo(LeaseContract.leaseUrl(LabelerContract.DEFAULT_HEALTH_PORT));
                }));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String describe() {
        return "Lease holder: " + holder() + "\nsamples (last 20): "
                + sampler.samples().stream().skip(Math.max(0, sampler.samples().size() - 20))
                .map(s -> s.epochMillis() + "=" + s.transports()).collect(Collectors.joining(", ")) + "\n"
                + example.describe();
    }
}
