package io.activemqha.e2e.failover;

import io.activemqha.e2e.Await;
import io.activemqha.e2e.ChildProcess;
import io.activemqha.e2e.CommandResult;
import io.activemqha.e2e.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pod network of the process kubelet: a Linux bridge with {@link #GATEWAY} in the test's own network namespace
 * (which holds only loopback, see {@code e2e/netns/bin/java}) and, per pod, a network namespace held by a pause
 * process, joined to the bridge by a veth pair and given the next address of {@link #SUBNET}. No route leaves the
 * subnet: the pods reach each other and the gateway, nothing else. {@link #close()} removes the namespaces and the
 * bridge.
 */
public final class PodNetwork implements AutoCloseable {
    /** The pods' subnet, private range (RFC 1918). */
    public static final String SUBNET = "10.213.0.0/24";
    /** The bridge's address in the test's namespace; the API server relay listens here. */
    public static final String GATEWAY = "10.213.0.1";
    private static final String PREFIX = "10.213.0.";
    private static final int PREFIX_LENGTH = 24;
    private static final String BRIDGE = "aha-br0";
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

    private final Path logDirectory;
    private final AtomicInteger nextHost = new AtomicInteger(10);
    private final List<PodSandbox> sandboxes = new ArrayList<>();

    private PodNetwork(Path logDirectory) {
        this.logDirectory = logDirectory;
    }

    /** Creates the bridge; fails if one exists already (a previous run not cleaned up, or a second network). */
    public static PodNetwork create(Path logDirectory) {
        Commands.ip("link", "add", BRIDGE, "type", "bridge");
        PodNetwork network = new PodNetwork(logDirectory);
        try {
            Commands.ip("addr", "add", GATEWAY + "/" + PREFIX_LENGTH, "dev", BRIDGE);
            Commands.ip("link", "set", BRIDGE, "up");
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /**
     * A new pod network namespace with its own address: a pause process ({@code unshare --net sleep}) holds the
     * namespace, as the pause container does for a real pod; {@code eth0} in it is one end of a veth pair whose other
     * end is on the bridge.
     */
    public synchronized PodSandbox createSandbox(String podName) {
        int host = nextHost.getAndIncrement();
        String address = PREFIX + host;
        ChildProcess pause = ChildProcess.start("pause-" + podName,
                List.of("unshare", "--net", "--", "sleep", "infinity"), Map.of(),
                logDirectory.resolve("pause-" + podName + ".log"));
        PodSandbox sandbox = new PodSandbox(podName, address, pause);
        sandboxes.add(sandbox);
        String hostEnd = "aha-h" + host;
        String podEnd = "aha-p" + host;
        awaitOwnNamespace(pause);
        Commands.ip("link", "add", hostEnd, "type", "veth", "peer", "name", podEnd);
        Commands.ip("link", "set", podEnd, "netns", String.valueOf(pause.pid()));
        Commands.ip("link", "set", hostEnd, "master", BRIDGE, "up");
        sandbox.run("ip", "link", "set", "lo", "up");
        sandbox.run("ip", "link", "set", podEnd, "name", "eth0");
        sandbox.run("ip", "addr", "add", address + "/" + PREFIX_LENGTH, "dev", "eth0");
        sandbox.run("ip", "link", "set", "eth0", "up");
        return sandbox;
    }

    // unshare has replaced itself by sleep once the process's namespace differs from ours.
    private static void awaitOwnNamespace(ChildProcess pause) {
        Path own = Path.of("/proc/self/ns/net");
        Path pods = Path.of("/proc", String.valueOf(pause.pid()), "ns", "net");
        Await.untilTrue("pause process " + pause.pid() + " in its own network namespace",
                IP_TIMEOUT, () -> {
                    try {
                        return !Files.readSymbolicLink(own).equals(Files.readSymbolicLink(pods));
                    } catch (IOException notYet) {
                        return false;
                    }
                }, () -> pause.logTail(10));
    }

    /** Ends every sandbox (its processes and with the last of them its namespace and veth) and deletes the bridge. */
    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        for (PodSandbox sandbox : sandboxes) {
            try {
                sandbox.close();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        sandboxes.clear();
        CommandResult deleted = Commands.run(List.of("ip", "link", "del", BRIDGE), Map.of(), IP_TIMEOUT);
        if (!deleted.succeeded() && failure == null) {
            failure = new IllegalStateException("cannot delete bridge " + BRIDGE + ": " + deleted.stderr());
        }
        if (failure != null) {
            throw failure;
        }
    }
}
