package io.activemqha.labeler.bench;

import io.activemqha.common.Labels;
import io.activemqha.labeler.testing.ChildProcess;
import io.activemqha.labeler.testing.HaGroup;
import io.activemqha.labeler.testing.Jvm;
import io.activemqha.labeler.testing.MockApi;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The labeler benchmark (bench/labeler/run.sh): repeated failovers between two real brokers, each pod with
 * the real jar started by the launcher script, against the mock API; then start-up time and steady-state
 * RSS of the labeler with the launcher's JVM flags and, as the in-run baseline, with default JVM flags.
 * Times come from one clock (all processes run on this machine): the broker prints when it became master,
 * the benchmark notes when it SIGKILLs one, and a watch on the API notes when each label changed.
 * The failovers run twice: with the standby's ports closed until it holds the lock (connectors configured as in
 * {@code activemq.xml}, the stock image; the headline figures), then with them bound early (accepting TCP into
 * the backlog without answering, see {@code TestBroker}).
 * Args: jar launcher failovers rounds out.json
 */
public final class LabelerBenchmark {
    private final Path jar;
    private final Path launcher;
    private final MockApi api = new MockApi();
    /** namespace/pod -> (label value -> epoch ms at which the watch saw it, latest). */
    private final Map<String, Map<String, Long>> seen = new ConcurrentHashMap<>();

    private LabelerBenchmark(Path jar, Path launcher) {
        this.jar = jar;
        this.launcher = launcher;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path launcher = Path.of(args[1]).toAbsolutePath();
        int failovers = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        LabelerBenchmark bench = new LabelerBenchmark(jar, launcher);
        try {
            bench.run(failovers, rounds, out);
        } finally {
            bench.api.close();
        }
        System.exit(0);
    }

    private void run(int failovers, int rounds, Path out) throws Exception {
        Path work = Files.createTempDirectory("labeler-bench");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("machine", Runtime.getRuntime().availableProcessors() + " cpus, java " + System.getProperty("java.version"));
        result.put("date", Instant.now().toString());
        result.put("command", "bench/labeler/run.sh " + failovers + " " + rounds);

        List<Long> promotions = new ArrayList<>();
        List<Long> demotions = new ArrayList<>();
        failovers(work.resolve("failover"), "bench-failover", true, failovers, promotions, demotions);
        List<Long> boundPromotions = new ArrayList<>();
        List<Long> boundDemotions = new ArrayList<>();
        failovers(work.resolve("failover-bound"), "bench-failover-bound", false, failovers, boundPromotions, boundDemotions);
        result.put("failovers", failovers);
        result.put("standby_ports", "closed until the broker holds the lock (transport connectors as in activemq.xml)");
        result.put("promotion_ms", stats(promotions));
        result.put("demotion_ms", stats(demotions));
        Map<String, Object> bound = new LinkedHashMap<>();
        bound.put("standby_ports", "bound while waiting for the lock: TCP accepted into the backlog, no answer");
        bound.put("promotion_ms", stats(boundPromotions));
        bound.put("demotion_ms", stats(boundDemotions));
        result.put("standby_ports_bound", bound);

        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("launcher", new Variant(port -> launcherCommand(), Map.of()));
        variants.put("launcher_no_cds", new Variant(port -> launcherCommand(), Map.of("LABELER_CDS_ARCHIVE", "/nonexistent.jsa")));
        variants.put("default_jvm", new Variant(port -> Jvm.jar(List.of(), jar, HaGroup.labelerArgs()), Map.of()));
        Map<String, Map<String, Object>> footprint = new LinkedHashMap<>();
        for (String v : variants.keySet()) {
            footprint.put(v, new LinkedHashMap<>());
        }
        Map<String, List<Long>> startups = new LinkedHashMap<>();
        Map<String, List<Long>> rss = new LinkedHashMap<>();
        footprintRounds(work.resolve("footprint"), rounds, variants, startups, rss);
        for (String v : variants.keySet()) {
            footprint.get(v).put("startup_ms", stats(startups.get(v)));
            footprint.get(v).put("startup_cpu_ms", stats(startups.get(v + "_cpu")));
            footprint.get(v).put("spawn_to_label_ms", stats(startups.get(v + "_label")));
            footprint.get(v).put("rss_kib", stats(rss.get(v)));
            footprint.get(v).put("rss_anon_kib", stats(rss.get(v + "_anon")));
        }
        result.put("footprint", footprint);
        double rssRatio = median(rss.get("default_jvm")) / median(rss.get("launcher"));
        double startRatio = median(startups.get("default_jvm")) / median(startups.get("launcher"));
        double cpuRatio = median(startups.get("default_jvm_cpu")) / median(startups.get("launcher_cpu"));
        result.put("rss_ratio_default_over_launcher", round(rssRatio));
        result.put("startup_ratio_default_over_launcher", round(startRatio));
        result.put("startup_cpu_ratio_default_over_launcher", round(cpuRatio));

        System.out.println();
        System.out.println("labeler benchmark (" + failovers + " failovers, " + rounds + " start-up rounds per variant)");
        System.out.printf(Locale.ROOT, "%-52s %10s %10s %10s%n", "metric", "median", "p99", "max");
        row("promotion: standby master -> leader=yes (ms)", promotions);
        row("demotion: broker SIGKILLed -> leader=no (ms)", demotions);
        row("standby ports bound early: promotion (ms)", boundPromotions);
        row("standby ports bound early: demotion (ms)", boundDemotions);
        for (String v : variants.keySet()) {
            row("start-up " + v + ": spawn -> first probe (ms)", startups.get(v));
            row("  CPU time used by then (user+sys ms)", startups.get(v + "_cpu"));
            row("  spawn -> own pod labeled leader=yes (ms)", startups.get(v + "_label"));
            row("steady RSS " + v + " (KiB)", rss.get(v));
            row("  of which anonymous (KiB)", rss.get(v + "_anon"));
        }
        System.out.printf(Locale.ROOT, "default JVM flags / launcher: RSS %.2fx, start-up time %.2fx, start-up CPU %.2fx%n",
                rssRatio, startRatio, cpuRatio);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Json.write(result) + "\n");
        System.out.println("wrote " + out);
    }

    /** How a labeler is started for the footprint rounds. */
    private record Variant(Function<Integer, List<String>> command, Map<String, String> env) {
    }

    private List<String> launcherCommand() {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(HaGroup.labelerArgs());
        return cmd;
    }

    private void failovers(Path dir, String namespace, boolean standbyPortsClosed, int count, List<Long> promotions,
                           List<Long> demotions) throws Exception {
        try (HaGroup g = new HaGroup(api, dir, namespace);
             Watch watch = watchLabels(namespace)) {
            if (standbyPortsClosed) {
                g.standbyPortsClosed();
            }
            HaGroup.Broker[] brokers = {g.startMaster("a"), g.startSlave("b")};
            String[] pods = {g.createPod("pod-a", null), g.createPod("pod-b", null)};
            for (int i = 0; i < 2; i++) {
                g.startLabeler(pods[i], brokers[i].openwireUrl(), this::labelerCommand);
            }
            int master = 0;
            g.awaitLabel(pods[0], Labels.LEADER_YES);
            g.awaitLabel(pods[1], Labels.LEADER_NO);
            for (int n = 0; n < count; n++) {
                int standby = 1 - master;
                HaGroup.Broker old = brokers[master];
                long killedAt = System.currentTimeMillis();
                old.process().kill();
                HaGroup.Broker next = brokers[standby];
                int times = (int) next.process().count(l -> l.startsWith("MASTER"));
                next.awaitMaster(times + 1);
                long activeAt = lastStamp(next.process(), "MASTER");
                g.awaitLabel(pods[standby], Labels.LEADER_YES);
                g.awaitLabel(pods[master], Labels.LEADER_NO);
                long yesAt = awaitSeen(namespace + "/" + pods[standby], Labels.LEADER_YES, activeAt);
                long noAt = awaitSeen(namespace + "/" + pods[master], Labels.LEADER_NO, killedAt);
                promotions.add(yesAt - activeAt);
                demotions.add(noAt - killedAt);
                System.out.printf(Locale.ROOT, "failover %2d (standby ports %s): %s -> %s  promotion %4d ms  demotion %4d ms%n",
                        n + 1, standbyPortsClosed ? "closed" : "bound", old.name(), next.name(), yesAt - activeAt, noAt - killedAt);
                // The killed broker's container restarts in the same pod, as a slave (same ports, same labeler).
                brokers[master] = restart(g, old);
                master = standby;
            }
        }
    }

    private List<String> labelerCommand(int healthPort) {
        return launcherCommand();
    }

    private HaGroup.Broker restart(HaGroup g, HaGroup.Broker old) throws Exception {
        HaGroup.Broker again = g.startBrokerOnPorts(old.name(), old.openwirePort());
        again.process().awaitLine(l -> l.startsWith("WAITING"), HaGroup.STARTUP);
        return again;
    }

    private void footprintRounds(Path dir, int rounds, Map<String, Variant> variants,
                                 Map<String, List<Long>> startups, Map<String, List<Long>> rss) throws Exception {
        try (HaGroup g = new HaGroup(api, dir, "bench-footprint")) {
            HaGroup.Broker broker = g.startMaster("solo");
            int pod = 0;
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Variant> v : variants.entrySet()) {
                    String name = g.createPod("solo-" + v.getKey().replace('_', '-') + "-" + pod++, null);
                    HaGroup.Labeler labeler = g.startLabeler(name, broker.openwireUrl(), v.getValue().command(), v.getValue().env());
                    ChildProcess p = labeler.process();
                    p.awaitLine(l -> l.contains("first probe done"), HaGroup.STARTUP);
                    long firstProbe = (System.nanoTime() - p.startedNanos()) / 1_000_000;
                    long startCpu = cpuMillis(p.pid());
                    g.awaitLabel(name, Labels.LEADER_YES);
                    long labeled = (System.nanoTime() - p.startedNanos()) / 1_000_000;
                    startups.computeIfAbsent(v.getKey() + "_label", k -> new ArrayList<>()).add(labeled);
                    // Steady state: a while after the promotion, with the connection kept open and the watch running.
                    Thread.sleep(8000);
                    long kib = statusKib(p.pid(), "VmRSS");
                    long anon = statusKib(p.pid(), "RssAnon");
                    startups.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(firstProbe);
                    startups.computeIfAbsent(v.getKey() + "_cpu", k -> new ArrayList<>()).add(startCpu);
                    rss.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(kib);
                    rss.computeIfAbsent(v.getKey() + "_anon", k -> new ArrayList<>()).add(anon);
                    System.out.printf(Locale.ROOT, "round %d %-16s start-up %5d ms (CPU %5d ms)  RSS %6d KiB (anonymous %6d KiB)%n",
                            r + 1, v.getKey(), firstProbe, startCpu, kib, anon);
                    p.terminate(Duration.ofSeconds(10));
                    p.close();
                }
            }
        }
    }

    /** User plus system CPU time of the process so far (/proc/<pid>/stat, clock ticks of 10 ms). */
    static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After "pid (comm) ", field 3 (state) is index 0: utime is field 14, stime field 15.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    /** A field of /proc/<pid>/status in KiB: the launcher execs java, so the pid is the JVM's. */
    static long statusKib(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no " + field + " for pid " + pid);
    }

    private Watch watchLabels(String namespace) {
        return api.client().pods().inNamespace(namespace).watch(new Watcher<Pod>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                long now = System.currentTimeMillis();
                String value = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Labels.LEADER);
                if (value != null) {
                    Map<String, Long> byValue = seen.computeIfAbsent(namespace + "/" + pod.getMetadata().getName(),
                            k -> new ConcurrentHashMap<>());
                    Long previous = byValue.get(value);
                    String current = byValue.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
                    if (previous == null || !value.equals(current)) {
                        byValue.put(value, now);
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // The benchmark ends the watch itself.
            }
        });
    }

    private long awaitSeen(String pod, String value, long after) throws InterruptedException {
        long deadline = System.nanoTime() + HaGroup.CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
            Long at = seen.getOrDefault(pod, Map.of()).get(value);
            if (at != null && at >= after) {
                return at;
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("watch did not see " + pod + " leader=" + value);
    }

    private static long lastStamp(ChildProcess p, String prefix) {
        List<String> lines = p.output().lines().filter(l -> l.startsWith(prefix)).toList();
        String last = lines.get(lines.size() - 1);
        return Long.parseLong(last.substring(prefix.length()).trim());
    }

    private static Map<String, Object> stats(List<Long> values) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("n", values.size());
        s.put("median", median(values));
        s.put("p99", percentile(values, 0.99));
        s.put("min", Collections.min(values));
        s.put("max", Collections.max(values));
        s.put("values", values);
        return s;
    }

    private static void row(String name, List<Long> values) {
        System.out.printf(Locale.ROOT, "%-52s %10.0f %10d %10d%n", name, median(values), percentile(values, 0.99), Collections.max(values));
    }

    static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    /** Nearest-rank percentile (with 10 samples, p99 is the maximum). */
    static long percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static double round(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
