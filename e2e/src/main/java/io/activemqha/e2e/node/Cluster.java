package io.activemqha.e2e.node;

import io.activemqha.e2e.ControlPlane;
import io.activemqha.e2e.ControlPlaneBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The cluster of {@code e2e/cluster.sh up}: the test control plane and the real node, {@code deploy/install} applied as
 * shipped, and the example (e2e/node/example) running; then it waits until it is told to stop (SIGTERM, from
 * {@code e2e/cluster.sh down}), and stops everything, leaving the machine as it found it.
 *
 * <p>Arguments: {@code <project root> <state directory> <image archives directory>}. Must run in a network namespace
 * of its own holding only loopback ({@code e2e/netns/bin/java}). Writes {@code <state>/kubeconfig} (the admin's) and,
 * once everything runs, {@code <state>/ready}; removes both when it stops.
 */
public final class Cluster {
    private static final Duration READY = Duration.ofSeconds(300);

    private Cluster() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Cluster <project root> <state directory> <image archives directory>");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path state = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        List<Path> images = RealNode.imageArchives(Path.of(args[2]));
        Path logs = Files.createDirectories(state.resolve("logs"));
        CountDownLatch stopped = new CountDownLatch(1);
        Path binaries = ControlPlaneBinaries.directory().orElseThrow(() -> new IllegalStateException(
                ControlPlaneBinaries.DIRECTORY_ENV + " is not set (e2e/cluster.sh sets it)"));
        ControlPlane plane = ControlPlane.start(ControlPlaneBinaries.in(binaries), logs);
        RealNode node;
        try {
            say("control plane up: " + plane.server());
            node = RealNode.start(plane, binaries, images, logs);
            say("node " + RealNode.NAME + " Ready at " + RealNode.NODE_IP);
        } catch (RuntimeException | Error e) {
            plane.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping");
            try {
                Files.deleteIfExists(state.resolve("ready"));
                Files.deleteIfExists(state.resolve("kubeconfig"));
            } catch (IOException e) {
                say("cannot remove " + state + ": " + e.getMessage());
            }
            try {
                node.close();
            } finally {
                plane.close();
                say("stopped: nothing of the cluster is left");
                stopped.countDown();
            }
        }, "cluster-stop"));
        try {
            NodeInstall.applyAsShipped(plane, root, READY, node::kubeletLogTail);
            say("deploy/install applied: certs Job complete, webhook available");
            NodeExample.apply(plane, root, node::kubeletLogTail).awaitSteadyState(READY);
            say("e2e/node/example applied: two brokers, one leader behind the Service");
            Files.copy(plane.adminKubeconfig(), state.resolve("kubeconfig"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(state.resolve("ready"), ProcessHandle.current().pid() + "\n");
        } catch (RuntimeException | Error | IOException e) {
            // The clients' non-daemon threads would keep the JVM up: exit, and the hook stops everything.
            e.printStackTrace();
            say("failed: " + e.getMessage());
            System.exit(1);
        }
        say("ready: " + state.resolve("kubeconfig"));
        stopped.await();
    }

    private static void say(String text) {
        System.out.println("cluster: " + text);
    }
}
