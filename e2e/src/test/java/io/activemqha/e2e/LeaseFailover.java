package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import io.activemqha.e2e.node.NodeExample;
import io.activemqha.e2e.node.RealNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Issue 14's scenarios on the real node, against deploy/examples/activemq-lease (the lease locker) as shipped: each
 * fault is timed from the moment it is made, with clients through the Service's ClusterIP and a {@link MasterSampler}
 * dialling both brokers directly throughout. Never two brokers accept clients at once; nothing acknowledged is lost.
 * The figures go to {@code target/lease-failover.json}.
 */
final class LeaseFailover {
    /** Room for what the settings do not bound: JVM work, journal recovery, API round trips on a busy 2-core node. */
    private static final long ALLOWANCE_MS = 20_000;
    private static final Duration SCENARIO = Duration.ofSeconds(180);
    private static final Duration READY = Duration.ofSeconds(240);

    private final ControlPlane plane;
    private final NodeExample example;
    private final ClientTraffic traffic;
    private final MasterSampler sampler;
    private final Settings settings;
    private final List<Map<String, Object>> scenarios = new ArrayList<>();

    /** What the example configures: the Lease duration (annotation) and the locker's intervals (activemq.xml). */
    record Settings(long durationMs, long keepAliveMs, long acquireMs, long marginMs) {
        /** How long a broker that was active must be silent before its labeler releases the Lease (half a duration). */
        long releaseGraceMs() {
            return durationMs / 2;
        }

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
                    number(xml, "name=\"safetyMargin\" value=\"(\\d+)\""));
        }

        private static long number(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("the lease example's activemq.xml has no " + regex);
            }
            return Long.parseLong(m.group(1));
        }
    }

    LeaseFailover(ControlPlane plane, NodeExample example, ClientTraffic traffic, MasterSampler sampler, Settings settings) {
        this.plane = plane;
        this.example = example;
        this.traffic = traffic;
        this.sampler = sampler;
        this.settings = settings;
    }

    /** The Lease's holder, as the API server has it. */
    String holder() {
        Lease lease = plane.client().leases().inNamespace(NodeExample.NAMESPACE)
                .withName(LeaseContract.leaseName(NodeExample.BROKER)).get();
        return lease == null || lease.getSpec().getHolderIdentity() == null ? "" : lease.getSpec().getHolderIdentity();
    }

    /**
     * Scenario 1: the leader's broker SIGKILLed. Two brokers compete for the Lease: the killed one, restarted by the
     * kubelet in its own pod (at once after a first crash, after a back-off of 10 s and more after the next ones),
     * which finds its pod still holding the Lease and is master again without a takeover; and the standby, once the
     * killed broker's labeler has released the Lease after the release grace without a request. Either way a broker
     * is master again within the grace plus an acquire interval (plus the allowance), and never two at once.
     */
    Map<String, Object> brokerKilled(Pod leader) {
        String old = leader.getMetadata().getName();
        int restarts = NodeExample.broker(leader).getRestartCount();
        Map<String, Long> before = traffic.acknowledgedPerProtocol();
        long made = System.currentTimeMillis();
        RealNode.kill(NodeExample.broker(leader).getContainerID());
        // Rounds that started before the kill took effect may still have reached the old process.
        long dead = made + MasterSampler.PERIOD_MS + MasterSampler.ANSWER_MS;
        Pod next = Await.until("a broker master again after the SIGKILL", SCENARIO, () -> example.leaders().stream()
                .filter(p -> sampler.firstAccepting(p.getMetadata().getName(), dead).isPresent())
                .filter(p -> !p.getMetadata().getName().equals(old) || NodeExample.broker(p).getRestartCount() > restarts)
                .findFirst(), this::describe);
        long labeled = System.currentTimeMillis();
        String nextName = next.getMetadata().getName();
        long active = sampler.firstAccepting(nextName, dead).orElseThrow();
        long clientsOk = settledOn(nextName, before);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "broker_sigkill");
        timing.put("old_leader", old);
        timing.put("new_leader", nextName);
        timing.put("master_in", nextName.equals(old) ? "the killed broker's own pod (restarted, Lease kept)"
                : "the standby (Lease released by the killed broker's labeler)");
        timing.put("kubelet_restarts_before", restarts);
        timing.put("master_again_ms", active - made);
        timing.put("labeled_seen_ms", labeled - made);
        timing.put("clients_served_by_ms", clientsOk - made);
        timing.put("rounds_with_two_brokers_accepting", sampler.overlaps().size());
        scenarios.add(timing);
        System.out.printf("lease scenario broker_sigkill: %s%n", timing);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(active - made).as("a broker master again: %s", timing)
                .isLessThanOrEqualTo(settings.releaseGraceMs() + settings.acquireMs() + ALLOWANCE_MS);
        return timing;
    }

    /**
     * Scenario 2: every process of the leader's pod stopped (SIGSTOP), as on a hung node: its sockets stay open and
     * nothing renews the Lease. The standby takes it over once it has seen it unchanged for a duration, then waits one
     * more before opening the store. The frozen pod is then deleted (grace period 1 s): its kubelet kills the stopped
     * processes without their ever running again, and the Deployment's replacement joins as a standby.
     *
     * <p>Not SIGCONT: a resumed master refuses clients at once (LeaseFencePlugin), but journal writes it had queued
     * before the freeze land in the shared store after the resume, next to the new master's (docs/lease-locker.md,
     * "A frozen master must not resume").
     */
    Map<String, Object> podFrozen(Pod leader) {
        return scenario("pod_sigstop", leader, l -> {
            List<String> containers = List.of(NodeExample.broker(l).getContainerID(), NodeExample.labeler(l).getContainerID());
            RealNode.freeze(containers);
            return () -> plane.kubectl().succeed("delete", "pod", "-n", NodeExample.NAMESPACE, l.getMetadata().getName(),
                    "--grace-period=1", "--wait=false");
        }, this::assertTakenOver);
    }

    /**
     * Scenario 4: the leader's labeler stopped (SIGSTOP): its broker's renewals go unanswered, so the broker stops
     * being master {@code duration - safetyMargin} after its last confirmed renewal (at its next keep-alive), and the
     * standby takes the expired Lease over. A killed labeler would be restarted by the kubelet within a renewal or
     * two and go on renewing; a hung one is the case that needs the bound.
     */
    Map<String, Object> labelerFrozen(Pod leader) {
        return scenario("labeler_sigstop", leader, l -> {
            List<Long> frozen = RealNode.freeze(List.of(NodeExample.labeler(l).getContainerID()));
            return () -> RealNode.thaw(frozen);
        }, (timing, fault) -> {
            assertTakenOver(timing, fault);
            long stopped = (long) timing.get("old_broker_stopped_accepting_ms");
            assertThat(stopped).as("the broker stopped being master once no renewal was confirmed: %s", timing)
                    .isLessThanOrEqualTo(settings.durationMs() - settings.marginMs() + settings.keepAliveMs() + ALLOWANCE_MS);
        });
    }

    /**
     * Scenario 3: the leader's pod cut off from the API server (its packets to the kubernetes Service dropped in the
     * pod's network namespace): its labeler can neither renew nor relabel, so its broker stops being master as in
     * scenario 4, and the new leader's labeler demotes the cut-off pod's label.
     */
    Map<String, Object> podCutOffFromApi(Pod leader) {
        String apiAddress = plane.client().services().inNamespace("default").withName("kubernetes").get().getSpec()
                .getClusterIP();
        return scenario("pod_cut_off_from_api", leader, l -> {
            long pid = RealNode.pids(NodeExample.labeler(l).getContainerID()).get(0);
            List<String> rule = List.of("OUTPUT", "-d", apiAddress, "-p", "tcp", "-j", "DROP");
            podIptables(pid, "-I", rule);
            return () -> podIptables(pid, "-D", rule);
        }, (timing, fault) -> {
            assertTakenOver(timing, fault);
            assertThat((long) timing.get("old_broker_stopped_accepting_ms")).as("stopped without the API: %s", timing)
                    .isLessThanOrEqualTo(settings.durationMs() - settings.marginMs() + settings.keepAliveMs() + ALLOWANCE_MS);
        });
    }

    private static void podIptables(long pid, String action, List<String> rule) {
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-n", "iptables", "-w", action));
        command.addAll(rule);
        CommandResult result = Commands.run(command, Map.of(), Duration.ofSeconds(20));
        assertThat(result.exitCode()).as("%s: %s", command, result.stderr()).isZero();
    }

    /**
     * Scenario 5: the API server stopped (SIGSTOP) for longer than the Lease, then resumed. No one can prove they hold
     * the Lease meanwhile, so the master stops once its last confirmed renewal runs out, and nobody takes over: the
     * group has no master until the API server is back, then exactly one again (the documented trade-off).
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
        Pod steady = example.awaitSteadyState(READY);
        long settled = System.currentTimeMillis();
        assertStoreOpenedClean(steady);
        long stopped = sampler.lastAccepting(old, made, resumed).orElseThrow(
                () -> new AssertionError(old + "'s broker accepted no client after the API server stopped: the sampler"
                        + " or the fault is broken"));
        long back = sampler.samples().stream().filter(s -> s.epochMillis() >= resumed && !s.accepting().isEmpty())
                .mapToLong(MasterSampler.Sample::epochMillis).min().orElse(settled);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", "api_server_stopped");
        timing.put("old_leader", old);
        timing.put("new_leader", steady.getMetadata().getName());
        timing.put("api_server_resumed_ms", resumed - made);
        timing.put("old_broker_stopped_accepting_ms", stopped - made);
        timing.put("a_broker_accepting_again_ms", back - made);
        timing.put("steady_ms", settled - made);
        timing.put("rounds_with_two_brokers_accepting", sampler.overlaps().size());
        scenarios.add(timing);
        System.out.printf("lease scenario api_server_stopped: %s%n", timing);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(stopped - made).as("the master stopped during the outage, once its Lease ran out: %s", timing)
                .isLessThanOrEqualTo(settings.durationMs() - settings.marginMs() + settings.keepAliveMs() + ALLOWANCE_MS)
                .isLessThan(resumed - made);
        List<MasterSampler.Sample> during = sampler.samples().stream()
                .filter(s -> s.epochMillis() > made && s.epochMillis() < resumed).toList();
        assertThat(during).as("sampling rounds during the outage").hasSizeGreaterThan((int) (outage.toMillis() / (4L * MasterSampler.PERIOD_MS)));
        assertThat(during.stream().filter(s -> s.epochMillis() > stopped).allMatch(s -> s.accepting().isEmpty()))
                .as("no master while the API server was stopped, once the old one stopped: %s", timing).isTrue();
        return timing;
    }

    /**
     * After a failover to {@code master}: every protocol's clients are served again, the group is steady with it as
     * the leader and the Lease's holder, and its store opened clean.
     *
     * @return when the clients were served again (epoch ms)
     */
    private long settledOn(String master, Map<String, Long> acknowledgedBefore) {
        traffic.awaitEveryProtocolAcknowledgedMore(acknowledgedBefore, SCENARIO);
        long clientsOk = System.currentTimeMillis();
        Pod steady = example.awaitSteadyState(READY);
        assertThat(steady.getMetadata().getName()).as("the new master stays").isEqualTo(master);
        assertThat(holder()).as("the Lease's holder").isEqualTo(master);
        assertStoreOpenedClean(steady);
        return clientsOk;
    }

    /** The master's KahaDB opened without finding corrupt journal records or a broken index. */
    private void assertStoreOpenedClean(Pod master) {
        String log = example.brokerLog(master);
        assertThat(log).as("%s's broker log", master.getMetadata().getName()).containsIgnoringCase("Persistence Adapter successfully started")
                .doesNotContainIgnoringCase("corrupt").doesNotContainIgnoringCase("Failed to load");
    }

    private void assertTakenOver(Map<String, Object> timing, long fault) {
        long active = (long) timing.get("standby_active_ms");
        // Expired one duration after the standby last saw it change (at most a keep-alive before the fault), then
        // one duration of takeover wait: never sooner, whatever the old master does.
        assertThat(active).as("taken over after expiry plus the takeover wait: %s", timing)
                .isGreaterThanOrEqualTo(2 * settings.durationMs() - settings.keepAliveMs())
                .isLessThanOrEqualTo(2 * settings.durationMs() + settings.acquireMs() + ALLOWANCE_MS);
    }

    /** What a scenario does: makes the fault on the leader and returns how to repair it (or nothing to repair). */
    private interface Fault {
        Runnable make(Pod leader);
    }

    private interface Bounds {
        void check(Map<String, Object> timing, long faultMillis);
    }

    private Map<String, Object> scenario(String name, Pod leader, Fault fault, Bounds bounds) {
        String old = leader.getMetadata().getName();
        Map<String, Long> before = traffic.acknowledgedPerProtocol();
        long made = System.currentTimeMillis();
        Runnable repair = fault.make(leader);
        long repaired;
        long labeled;
        Pod next;
        try {
            next = Await.until("another pod labeled leader=yes after " + name, SCENARIO, () -> example.leaders().stream()
                    .filter(p -> !p.getMetadata().getName().equals(old)).findFirst(), this::describe);
            labeled = System.currentTimeMillis();
            String nextName = next.getMetadata().getName();
            Await.until(nextName + "'s broker accepting clients", SCENARIO,
                    () -> sampler.firstAccepting(nextName, made), this::describe);
        } finally {
            repaired = System.currentTimeMillis();
            repair.run();
        }
        String nextName = next.getMetadata().getName();
        long active = sampler.firstAccepting(nextName, made).orElseThrow();
        long clientsOk = settledOn(nextName, before);
        long oldLast = sampler.lastAccepting(old, made, active).orElse(made);
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("scenario", name);
        timing.put("old_leader", old);
        timing.put("new_leader", nextName);
        timing.put("old_broker_stopped_accepting_ms", oldLast - made);
        timing.put("standby_active_ms", active - made);
        timing.put("labeled_seen_ms", labeled - made);
        timing.put("clients_served_by_ms", clientsOk - made);
        timing.put("repaired_ms", repaired - made);
        timing.put("old_broker_accepting_rounds_after_repair", sampler.acceptingRounds(old, repaired));
        timing.put("rounds_with_two_brokers_accepting", sampler.overlaps().size());
        scenarios.add(timing);
        System.out.printf("lease scenario %s: %s%n", name, timing);
        assertThat(sampler.overlaps()).as("rounds in which two brokers accepted clients").isEmpty();
        assertThat(sampler.acceptingRounds(old, repaired)).as("%s's broker accepting clients after the repair", old).isZero();
        bounds.check(timing, made);
        return timing;
    }

    /** Writes target/lease-failover.json: the settings, every scenario's timings and the clients' counts. */
    void write(Path target) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("lease_duration_ms", settings.durationMs());
        config.put("release_grace_ms", settings.releaseGraceMs());
        config.put("lock_keep_alive_period_ms", settings.keepAliveMs());
        config.put("lock_acquire_sleep_interval_ms", settings.acquireMs());
        config.put("safety_margin_ms", settings.marginMs());
        config.put("sample_period_ms", MasterSampler.PERIOD_MS);
        report.put("settings", config);
        report.put("scenarios", scenarios);
        report.put("lost_messages", traffic.ledgers().values().stream().mapToLong(MessageLedger::lost).sum());
        report.put("duplicates", traffic.ledgers().values().stream().mapToLong(MessageLedger::duplicates).sum());
        report.put("clients", traffic.ledgers().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> Map.of("acknowledged", e.getValue().acknowledgedCount(), "lost", e.getValue().lost(),
                        "duplicates", e.getValue().duplicates()), (a, b) -> a, LinkedHashMap::new)));
        Files.writeString(target.resolve("lease-failover.json"),
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
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
    }

    private String describe() {
        return "Lease holder: " + Optional.ofNullable(holder()).orElse("?") + "\nsamples (last 20): "
                + sampler.samples().stream().skip(Math.max(0, sampler.samples().size() - 20))
                .map(s -> s.epochMillis() + "=" + s.accepting()).collect(Collectors.joining(", ")) + "\n"
                + example.describe();
    }
}
