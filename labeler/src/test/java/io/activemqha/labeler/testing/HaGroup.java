package io.activemqha.labeler.testing;

import io.activemqha.common.LabelerContract;
import io.activemqha.labeler.LabelerMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One HA group of a test: pods in their own namespace of the mock API, brokers sharing one KahaDB
 * directory, each pod with its own labeler process configured by the env the webhook injects. Kills
 * every process it started on {@link #close()}.
 */
public final class HaGroup implements AutoCloseable {
    public static final Duration STARTUP = Duration.ofSeconds(60);
    public static final Duration CONVERGE = Duration.ofSeconds(30);

    private final MockApi api;
    private final Path dir;
    private final String namespace;
    private final String group;
    private final Path kubeconfig;
    private final Path logs;
    private final List<ChildProcess> children = new ArrayList<>();
    private boolean standbyPortsClosed;

    public HaGroup(MockApi api, Path dir, String namespace) throws IOException {
        this.api = api;
        this.dir = dir;
        this.namespace = namespace;
        this.group = namespace + "-brokers";
        Files.createDirectories(dir);
        this.kubeconfig = api.writeKubeconfig(dir, namespace);
        Files.createDirectories(dir.resolve("shared"));
        // Kept after the run (target/ is cleaned by the build), to read what a failed scenario's processes said.
        this.logs = Path.of("target", "test-logs", namespace);
    }

    /**
     * Brokers started from now on bind their ports only once they hold the lock, as with {@code activemq.xml}'s
     * transport connectors: a slave's ports refuse connections (default: bound early, accepting into the backlog).
     */
    public HaGroup standbyPortsClosed() {
        this.standbyPortsClosed = true;
        return this;
    }

    public String namespace() {
        return namespace;
    }

    public String group() {
        return group;
    }

    /** A broker JVM on the shared store; {@code stompPort} 0 for none, {@code credentials} "user:password" or null. */
    public Broker startBroker(String name, boolean withStomp, String credentials) throws IOException {
        return startBroker(name, FreePorts.next(), withStomp ? FreePorts.next() : 0, credentials);
    }

    /** A new broker JVM on the same OpenWire port as a previous one: its container restarted in the same pod. */
    public Broker startBrokerOnPorts(String name, int openwirePort) throws IOException {
        return startBroker(name, openwirePort, 0, null);
    }

    private Broker startBroker(String name, int openwire, int stomp, String credentials) throws IOException {
        List<String> args = new ArrayList<>(List.of(name, dir.resolve("shared").toString(), Integer.toString(openwire),
                Integer.toString(stomp)));
        if (credentials != null) {
            args.add(credentials);
        }
        List<String> flags = new ArrayList<>(Jvm.CHILD_FLAGS);
        flags.add("-D" + TestBroker.STANDBY_PORTS + "=" + (standbyPortsClosed ? "closed" : "bound"));
        ChildProcess process = ChildProcess.start("broker-" + name + "-" + children.size(), Jvm.mainClass(flags, TestBroker.class, args),
                Map.of(), logs);
        children.add(process);
        return new Broker(name, process, openwire, stomp);
    }

    /** Starts a broker and waits until it holds the lock. */
    public Broker startMaster(String name) throws IOException, InterruptedException {
        Broker b = startBroker(name, false, null);
        b.awaitMaster(1);
        return b;
    }

    /** Starts a broker and waits until it waits for the lock (with its ports bound, unless {@link #standbyPortsClosed()}). */
    public Broker startSlave(String name) throws IOException, InterruptedException {
        Broker b = startBroker(name, false, null);
        b.process().awaitLine(l -> l.startsWith("WAITING"), STARTUP);
        return b;
    }

    public String createPod(String pod, String leader) {
        api.createPod(namespace, pod, group, leader);
        return pod;
    }

    /** A labeler on the test class path for {@code pod}, probing {@code brokerUrl}. */
    public Labeler startLabeler(String pod, String brokerUrl, String... flags) throws IOException {
        return startLabeler(pod, brokerUrl, port -> Jvm.mainClass(Jvm.CHILD_FLAGS, LabelerMain.class, labelerArgs(flags)));
    }

    /** A labeler started by {@code command} (given the health port), with the webhook's env. */
    public Labeler startLabeler(String pod, String brokerUrl, Function<Integer, List<String>> command) throws IOException {
        return startLabeler(pod, brokerUrl, command, Map.of());
    }

    /** As above, with more environment (e.g. for the launcher script). */
    public Labeler startLabeler(String pod, String brokerUrl, Function<Integer, List<String>> command, Map<String, String> extraEnv)
            throws IOException {
        int health = FreePorts.next();
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        env.putAll(Map.of(
                LabelerContract.ENV_POD_NAME, pod,
                LabelerContract.ENV_POD_NAMESPACE, namespace,
                LabelerContract.ENV_BROKER_URL, brokerUrl,
                LabelerContract.ENV_HEALTH_PORT, Integer.toString(health),
                "KUBECONFIG", kubeconfig.toString()));
        ChildProcess process = ChildProcess.start("labeler-" + pod + "-" + children.size(), command.apply(health), env,
                logs);
        children.add(process);
        return new Labeler(pod, process, health);
    }

    /** Flags every test labeler gets: the health endpoint on loopback only. */
    public static List<String> labelerArgs(String... flags) {
        List<String> args = new ArrayList<>(List.of("--health-address", "127.0.0.1"));
        args.addAll(List.of(flags));
        return args;
    }

    public String label(String pod) {
        return api.leaderLabel(namespace, pod);
    }

    /** Waits until {@code pod} is labeled {@code value}; fails with the labels and the process logs otherwise. */
    public void awaitLabel(String pod, String value) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
            if (Objects.equals(value, label(pod))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pod " + pod + " not labeled leader=" + value + " within " + CONVERGE + " (is "
                + label(pod) + ")\n" + logs());
    }

    /** Every child's output, for failure messages. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        for (ChildProcess c : children) {
            out.append("----- ").append(c.name()).append(c.isAlive() ? "" : " (exited)").append('\n').append(c.output());
        }
        return out.toString();
    }

    @Override
    public void close() {
        children.forEach(ChildProcess::close);
    }

    /** A broker process and its ports. */
    public record Broker(String name, ChildProcess process, int openwirePort, int stompPort) {
        public String openwireUrl() {
            return "tcp://127.0.0.1:" + openwirePort;
        }

        public String stompUrl() {
            return "stomp://127.0.0.1:" + stompPort;
        }

        /** Waits until the broker has become master for the {@code n}-th time (1 = first start). */
        public void awaitMaster(int n) throws InterruptedException {
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (process.count(l -> l.startsWith("MASTER")) < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " not master (" + n + ") within " + STARTUP + ":\n" + process.output());
                }
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited:\n" + process.output());
                }
                Thread.sleep(50);
            }
        }
    }

    /** A labeler process and its health port. */
    public record Labeler(String pod, ChildProcess process, int healthPort) {
    }
}
