package io.activemqha.e2e.node;

import io.activemqha.certs.Validity;
import io.activemqha.e2e.Await;
import io.activemqha.e2e.ChildProcess;
import io.activemqha.e2e.ClientCertificates;
import io.activemqha.e2e.CommandResult;
import io.activemqha.e2e.Commands;
import io.activemqha.e2e.ControlPlane;
import io.activemqha.e2e.IssuedKeyPair;
import io.activemqha.e2e.LoopbackPorts;
import io.activemqha.e2e.PemKeyPairFiles;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Kubernetes node for the test control plane: containerd (with runc and the CNI bridge plugin, all Debian's),
 * kubelet and kube-proxy of the control plane's release, run by {@code e2e/node/node.sh} in a mount and PID namespace
 * of their own inside the test's network namespace. Pods get addresses on a bridge in {@link #POD_SUBNET}; the node
 * itself has {@link #NODE_IP} on an interface of its own (kubelet refuses a loopback node address), through which the
 * Services' ClusterIPs are routed, and kube-proxy rewrites them to pod addresses, all in that same namespace.
 *
 * <p>{@link #close()} leaves the machine as it was: the namespaces take every process, mount and container with them;
 * what the kernel keeps globally is undone here: the cgroups kubelet and runc made, and the kernel settings kubelet
 * changes ({@link KernelSettings}).
 */
public final class RealNode implements AutoCloseable {
    /** The node's name. */
    public static final String NAME = "e2e-node";
    /**
     * The node's own address, on an interface of its own in the test's network namespace: the control plane's address
     * for pods, so that the kubernetes Service's endpoint exists exactly while the node does.
     */
    public static final String NODE_IP = ControlPlane.HOST_ADDRESS;
    /** Where the pods' addresses come from (the CNI bridge's subnet). */
    public static final String POD_SUBNET = "10.214.0.0/24";
    /** The sandbox ("pause") image: catatonit, built by node.sh from Debian's static binary. */
    public static final String SANDBOX_IMAGE = "localhost/activemq-ha-e2e/pause:catatonit";
    private static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";
    private static final String NODE_LINK = "e2e-node0";
    private static final String BRIDGE = "e2e-cni0";
    private static final Duration READY = Duration.ofSeconds(180);
    private static final Duration COMMAND = Duration.ofSeconds(30);
    private static final int LOG_TAIL = 40;

    private final Path work;
    private final ChildProcess node;
    private final List<ChildProcess> processes;
    private final KernelSettings kernel;

    private RealNode(Path work, List<ChildProcess> processes, KernelSettings kernel) {
        this.work = work;
        this.node = processes.get(processes.size() - 1);
        this.processes = List.copyOf(processes);
        this.kernel = kernel;
    }

    /**
     * Starts the node with the images in {@code imageArchives} imported, registers it and waits until it is Ready. A
     * kube-scheduler comes and goes with the node: without a node the other scenarios rely on pods staying Pending.
     *
     * @param binaries directory holding kubelet, kube-proxy and kube-scheduler (e2e/control-plane.sh --node)
     */
    public static RealNode start(ControlPlane plane, Path binaries, List<Path> imageArchives, Path logs) {
        for (String binary : List.of("kubelet", "kube-proxy", "kube-scheduler")) {
            if (!Files.isExecutable(binaries.resolve(binary))) {
                throw new IllegalStateException("no " + binary + " in " + binaries + ": e2e/control-plane.sh --node builds it");
            }
        }
        KernelSettings kernel = KernelSettings.record();
        Path work = plane.newDirectory("node-");
        List<ChildProcess> processes = new ArrayList<>();
        try {
            // A bridge without ports holds the address: this kernel has no dummy interfaces.
            Commands.ip("link", "add", NODE_LINK, "type", "bridge");
            Commands.ip("addr", "add", NODE_IP + "/32", "dev", NODE_LINK);
            Commands.ip("link", "set", NODE_LINK, "up");
            // ClusterIPs need a route before kube-proxy's DNAT rewrites them to a pod; it goes with the link.
            Commands.ip("route", "add", ControlPlane.SERVICE_CLUSTER_IP_RANGE, "dev", NODE_LINK);
            writeConfiguration(plane, work, imageArchives);
            // The components' logs outlive the node's directory, for diagnosis.
            Files.createSymbolicLink(work.resolve("logs"), Files.createDirectories(logs.resolve("node")));
            Path scheduler = work.resolve("kube-scheduler.kubeconfig");
            processes.add(ChildProcess.start("kube-scheduler", List.of(binaries.resolve("kube-scheduler").toString(),
                    "--kubeconfig=" + scheduler, "--authentication-kubeconfig=" + scheduler,
                    "--authorization-kubeconfig=" + scheduler, "--bind-address=127.0.0.1",
                    "--secure-port=" + LoopbackPorts.free(), "--cert-dir=" + work.resolve("kube-scheduler"),
                    "--leader-elect=false"), Map.of(), logs.resolve("kube-scheduler.log")));
            processes.add(ChildProcess.start("node", List.of("unshare", "--mount", "--pid", "--fork", "--mount-proc",
                    "--propagation", "private", "catatonit", "--",
                    nodeScript().toString(), work.toString(), binaries.toString(), NAME, NODE_IP, SANDBOX_IMAGE), Map.of(),
                    logs.resolve("node.log")));
            RealNode node = new RealNode(work, processes, kernel);
            node.awaitReady(plane);
            liftNotReadyTaint(plane);
            return node;
        } catch (IOException e) {
            UncheckedIOException failure = new UncheckedIOException("cannot prepare the node in " + work, e);
            cleanUp(processes, kernel).forEach(failure::addSuppressed);
            throw failure;
        } catch (RuntimeException | Error e) {
            cleanUp(processes, kernel).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** The docker or OCI archives ({@code *.tar}) in {@code directory}, e.g. what e2e/images.sh built. */
    public static List<Path> imageArchives(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().endsWith(".tar")).sorted().toList();
            if (archives.isEmpty()) {
                throw new IllegalStateException("no image archives in " + directory + " (e2e/images.sh builds them)");
            }
            return archives;
        } catch (IOException e) {
            throw new UncheckedIOException("no image archives in " + directory + " (e2e/images.sh builds them)", e);
        }
    }

    /** The node's log files: containerd, kubelet, kube-proxy, image imports. */
    public Path logs() {
        return work.resolve("logs");
    }

    /**
     * Kills every process of a container with SIGKILL, as a crash or the OOM killer would: nothing in the container
     * gets to clean up, and the kubelet restarts it by its pod's restart policy. (A signal sent from inside the
     * container would not do: its PID 1 ignores SIGKILL there.) The container's processes are those in its cgroup.
     *
     * @param containerId the container's ID as its pod's status reports it ({@code containerd://<id>})
     * @return how many processes were killed (at least one)
     */
    public static int kill(String containerId) {
        List<Long> pids = pids(containerId);
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        return pids.size();
    }

    /**
     * Stops every process of the given containers with SIGSTOP, as a hung node would leave them: sockets stay open,
     * locks stay held, nothing runs. {@link #thaw} resumes them.
     *
     * @param containerIds the containers' IDs as their pod's status reports them
     * @return the stopped processes' IDs
     */
    public static List<Long> freeze(List<String> containerIds) {
        List<Long> pids = containerIds.stream().flatMap(c -> pids(c).stream()).toList();
        stop(pids);
        return pids;
    }

    /** The processes of a container ({@code containerd://<id>}), by their cgroup; at least one. */
    public static List<Long> pids(String containerId) {
        String id = containerId.substring(containerId.indexOf("://") + 3);
        List<Long> pids = ProcessHandle.allProcesses().filter(p -> inCgroup(p.pid(), id)).map(ProcessHandle::pid).toList();
        if (pids.isEmpty()) {
            throw new IllegalStateException("no process of container " + containerId + " on this node");
        }
        return pids;
    }

    /**
     * One process on the node, by its PID and its start time ({@code /proc/PID/stat} field 22, clock ticks after boot),
     * so that a PID the kernel has given to a new process is not taken for it.
     */
    public record NodeProcess(long pid, long startTicks) {
        /** Whether this very process still exists and has not exited (a zombie has exited). */
        public boolean alive() {
            return stat(pid).filter(s -> s.startTicks() == startTicks && s.state() != 'Z' && s.state() != 'X')
                    .isPresent();
        }
    }

    private record Stat(char state, long startTicks) {
    }

    private static java.util.Optional<Stat> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, the fields after the last ')' do not.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return java.util.Optional.of(new Stat(fields[0].charAt(0), Long.parseLong(fields[19])));
        } catch (IOException | RuntimeException gone) {
            return java.util.Optional.empty();
        }
    }

    /** The processes of the given containers ({@code containerd://<id>}), by their cgroups, with their start times. */
    public static List<NodeProcess> processes(List<String> containerIds) {
        List<NodeProcess> processes = new ArrayList<>();
        for (String containerId : containerIds) {
            for (long pid : pids(containerId)) {
                stat(pid).ifPresent(s -> processes.add(new NodeProcess(pid, s.startTicks())));
            }
        }
        return processes;
    }

    /**
     * Stops every process of the given containers with SIGSTOP, as {@link #freeze} does, and returns them with their
     * start times, for {@link #thawSurvivors}.
     */
    public static List<NodeProcess> freezeProcesses(List<String> containerIds) {
        List<NodeProcess> processes = processes(containerIds);
        stop(processes.stream().map(NodeProcess::pid).toList());
        return processes;
    }

    /**
     * Resumes (SIGCONT) those of {@code processes} that still exist; the others (killed meanwhile, e.g. by their
     * kubelet when their pod was deleted) are skipped, and a PID reused by another process is never signalled.
     *
     * @return the processes that were still there and were resumed
     */
    public static List<NodeProcess> thawSurvivors(List<NodeProcess> processes) {
        List<NodeProcess> resumed = new ArrayList<>();
        for (NodeProcess process : processes) {
            if (!process.alive()) {
                continue;
            }
            CommandResult result = Commands.run(List.of("kill", "-CONT", Long.toString(process.pid())), Map.of(), COMMAND);
            if (result.succeeded()) {
                resumed.add(process);
            } else if (process.alive()) {
                throw new IllegalStateException("kill -CONT " + process.pid() + " failed: " + result.stderr().strip());
            }
        }
        return resumed;
    }

    /** Stops processes with SIGSTOP. */
    public static void stop(List<Long> pids) {
        signal("STOP", pids);
    }

    /** Resumes what {@link #freeze} or {@link #stop} stopped (SIGCONT). */
    public static void thaw(List<Long> pids) {
        signal("CONT", pids);
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        CommandResult result = Commands.run(command, Map.of(), COMMAND);
        if (!result.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + result.stderr().strip());
        }
    }

    /**
     * Kills the kubelet with SIGKILL; node.sh starts it again at once (as a service manager would), and it takes over
     * the pods that kept running in containerd. Returns when a new kubelet has reported the node Ready again.
     */
    public void restartKubelet(ControlPlane plane) {
        List<ProcessHandle> kubelets = ProcessHandle.allProcesses().filter(RealNode::isKubelet).toList();
        if (kubelets.size() != 1) {
            throw new IllegalStateException("expected one kubelet process, found " + kubelets.size());
        }
        long old = kubelets.get(0).pid();
        java.time.Instant killed = java.time.Instant.now();
        kubelets.get(0).destroyForcibly();
        Await.untilTrue("a new kubelet reporting the node Ready", READY, () -> {
            boolean restarted = ProcessHandle.allProcesses().anyMatch(p -> isKubelet(p) && p.pid() != old);
            Node registered = plane.client().nodes().withName(NAME).get();
            return restarted && registered.getStatus().getConditions().stream().anyMatch(c -> isReady(c)
                    && java.time.Instant.parse(c.getLastHeartbeatTime()).isAfter(killed));
        }, this::kubeletLogTail);
    }

    private static boolean isKubelet(ProcessHandle process) {
        return process.info().command().filter(c -> c.endsWith("/kubelet")).isPresent()
                && process.info().arguments().map(a -> List.of(a).contains("--hostname-override=" + NAME)).orElse(false);
    }

    private static boolean inCgroup(long pid, String containerId) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup")).contains("/" + containerId);
        } catch (IOException gone) {
            return false;
        }
    }

    /** The last lines of kubelet's log, for failure messages. */
    public String kubeletLogTail() {
        return tail(logs().resolve("kubelet.log"));
    }

    private void awaitReady(ControlPlane plane) {
        Await.untilTrue("node " + NAME + " Ready", READY, () -> {
            if (!node.isAlive()) {
                throw new IllegalStateException("the node's processes exited:\n" + node.logTail(LOG_TAIL) + "\n"
                        + kubeletLogTail() + "\n" + tail(logs().resolve("containerd.log")));
            }
            Node registered = plane.client().nodes().withName(NAME).get();
            return registered != null && registered.getStatus() != null && registered.getStatus().getConditions() != null
                    && registered.getStatus().getConditions().stream().anyMatch(RealNode::isReady);
        }, () -> node.logTail(LOG_TAIL) + "\n" + kubeletLogTail());
    }

    /**
     * kubelet registers its Node with the {@code node.kubernetes.io/not-ready:NoSchedule} taint, which the node
     * lifecycle controller lifts once the node is Ready. The test control plane runs without that controller (the
     * process kubelet of the failover scenarios never reports a status, so the controller would mark its pods not
     * ready), so the node lifts it itself, once, as that controller would.
     */
    private static void liftNotReadyTaint(ControlPlane plane) {
        plane.client().nodes().withName(NAME).edit(node -> {
            if (node.getSpec().getTaints() != null) {
                node.getSpec().getTaints().removeIf(taint -> NOT_READY_TAINT.equals(taint.getKey()));
            }
            return node;
        });
    }

    private static boolean isReady(NodeCondition condition) {
        return "Ready".equals(condition.getType()) && "True".equals(condition.getStatus());
    }

    /** Stops the node; then nothing of it is left on the machine. */
    @Override
    public void close() {
        List<Exception> problems = cleanUp(processes, kernel);
        if (!problems.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("the node was not cleaned up completely");
            problems.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** Everything the node leaves behind, each step tried whatever the others did; returns what failed. */
    private static List<Exception> cleanUp(List<ChildProcess> processes, KernelSettings kernel) {
        List<Exception> problems = new ArrayList<>();
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        for (String link : List.of(BRIDGE, NODE_LINK)) {
            CommandResult deleted = Commands.run(List.of("ip", "link", "del", link), Map.of(), COMMAND);
            if (!deleted.succeeded() && !deleted.stderr().contains("Cannot find device")) {
                problems.add(new IllegalStateException("cannot delete " + link + ": " + deleted.stderr()));
            }
        }
        problems.addAll(removeCgroups());
        try {
            kernel.restore();
        } catch (RuntimeException e) {
            problems.add(e);
        }
        return problems;
    }

    private static void writeConfiguration(ControlPlane plane, Path work, List<Path> imageArchives) {
        try {
            Path images = Files.createDirectories(work.resolve("images"));
            for (Path archive : imageArchives) {
                Files.createSymbolicLink(images.resolve(archive.getFileName()), archive.toAbsolutePath());
            }
            Path cni = Files.createDirectories(work.resolve("cni"));
            Files.writeString(cni.resolve("10-e2e.conflist"), NodeConfiguration.cni(BRIDGE, POD_SUBNET));
            Files.writeString(work.resolve("containerd.toml"), NodeConfiguration.containerd(work, SANDBOX_IMAGE));
            Files.writeString(work.resolve("kubelet.yaml"), NodeConfiguration.kubelet(NODE_IP, plane.pki().caCertificate()));
            Files.writeString(work.resolve("kube-proxy.yaml"),
                    NodeConfiguration.kubeProxy(NODE_IP, POD_SUBNET, work.resolve("kube-proxy.kubeconfig")));
            ClientCertificates clients = new ClientCertificates(plane.pki().authority());
            Validity validity = Validity.startingAt(Instant.now(), Duration.ofDays(1));
            plane.writeKubeconfig(work.resolve("kubelet.kubeconfig"), files(work, "kubelet",
                    clients.issue("system:node:" + NAME, "system:nodes", validity)));
            plane.writeKubeconfig(work.resolve("kube-proxy.kubeconfig"), files(work, "kube-proxy",
                    clients.issue("system:kube-proxy", null, validity)));
            plane.writeKubeconfig(work.resolve("kube-scheduler.kubeconfig"), files(work, "kube-scheduler",
                    clients.issue("system:kube-scheduler", null, validity)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the node's configuration into " + work, e);
        }
    }

    private static PemKeyPairFiles files(Path work, String name, IssuedKeyPair issued) throws IOException {
        Path pki = Files.createDirectories(work.resolve("pki"));
        return new PemKeyPairFiles(Files.writeString(pki.resolve(name + ".crt"), issued.certificatePem()),
                Files.writeString(pki.resolve(name + ".key"), issued.privateKeyPem()));
    }

    private static Path nodeScript() {
        Path root = Path.of(System.getProperty("activemq.ha.project.root", ".")).toAbsolutePath().normalize();
        return root.resolve("e2e/node/node.sh");
    }

    /** kubelet and runc make kubepods/... in every cgroup v1 hierarchy; they outlive the processes. */
    private static List<Exception> removeCgroups() {
        List<Exception> problems = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path kubepods = hierarchy.resolve("kubepods");
                if (!Files.isDirectory(kubepods)) {
                    continue;
                }
                try (Stream<Path> tree = Files.walk(kubepods)) {
                    for (Path cgroup : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                        removeCgroup(cgroup);
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            }
        } catch (IOException e) {
            problems.add(e);
        }
        return problems;
    }

    // A cgroup empties a moment after its last process exits: retry briefly.
    private static void removeCgroup(Path cgroup) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.delete(cgroup);
                return;
            } catch (IOException busy) {
                if (attempt >= 50) {
                    throw new IOException("cannot remove cgroup " + cgroup + ": " + busy.getMessage(), busy);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted removing " + cgroup, e);
                }
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL), lines.size()));
        } catch (IOException e) {
            return log + ": " + e.getMessage();
        }
    }
}
