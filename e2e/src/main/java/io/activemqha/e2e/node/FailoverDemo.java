package io.activemqha.e2e.node;

import io.activemqha.common.Labels;
import io.activemqha.e2e.Await;
import io.activemqha.e2e.failover.ServiceView;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The local failover demo ({@code e2e/demo.sh}), on the cluster of {@code e2e/cluster.sh}: it SIGKILLs the broker
 * container of the example's leader a few times, as a crash would, and prints every change of the {@code leader}
 * labels and of the Service's endpoints as it is seen, when the Service's ClusterIP takes connections again, and when
 * the kubelet has restarted the killed broker as the new standby.
 *
 * <p>Arguments: {@code [kills]} (default 3). Runs in the cluster's network namespace with {@code KUBECONFIG} set
 * ({@code e2e/cluster.sh run}), as root on the node's machine (the kill goes to the container's processes).
 */
public final class FailoverDemo {
    private static final Duration SETTLE = Duration.ofSeconds(180);
    private static final int OPENWIRE = 61616;

    private FailoverDemo() {
    }

    public static void main(String[] args) throws Exception {
        int kills = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        long start = System.currentTimeMillis();
        try (KubernetesClient client = new KubernetesClientBuilder().build();
             ServiceView view = ServiceView.watch(client, NodeExample.NAMESPACE, NodeExample.SERVICE)) {
            String clusterIp = client.services().inNamespace(NodeExample.NAMESPACE).withName(NodeExample.SERVICE).get()
                    .getSpec().getClusterIP();
            say(start, "the example's Service " + NodeExample.NAMESPACE + "/" + NodeExample.SERVICE + " has ClusterIP "
                    + clusterIp + "; its pods:");
            pods(client).forEach(pod -> say(start, "  " + pod.getMetadata().getName() + " at " + pod.getStatus().getPodIP()
                    + " (broker + injected leader-labeler sidecar), leader=" + pod.getMetadata().getLabels().get(Labels.LEADER)));
            try (ChangePrinter printer = new ChangePrinter(client, view, start)) {
                for (int kill = 1; kill <= kills; kill++) {
                    Pod leader = awaitOneLeader(client, view);
                    String name = leader.getMetadata().getName();
                    int restarts = NodeExample.broker(leader).getRestartCount();
                    printer.catchUp();
                    say(start, "*** kill -9 the broker container of the leader " + name + " (" + kill + "/" + kills + ")");
                    long killed = System.currentTimeMillis();
                    RealNode.kill(NodeExample.broker(leader).getContainerID());
                    ServiceView.Observation moved = view.await("the Service's endpoint to move to another pod", SETTLE,
                            o -> o.endpoints().size() == 1 && !o.endpoints().contains(leader.getStatus().getPodIP()));
                    String routed = endpoints(client, moved.endpoints());
                    printer.catchUp();
                    say(start, "*** the Service routes to " + routed + ", " + (moved.epochMillis() - killed)
                            + " ms after the kill");
                    Await.untilTrue("the ClusterIP to take connections", SETTLE, () -> accepts(clusterIp), () -> "");
                    long connected = System.currentTimeMillis();
                    printer.catchUp();
                    say(start, "*** a client connects to " + clusterIp + ":" + OPENWIRE + " again, " + (connected - killed)
                            + " ms after the kill");
                    Await.untilTrue(name + "'s broker restarted, waiting for the lock", SETTLE, () -> {
                        Pod pod = client.pods().inNamespace(NodeExample.NAMESPACE).withName(name).get();
                        return NodeExample.broker(pod).getRestartCount() > restarts && Optional.ofNullable(
                                        client.pods().inNamespace(NodeExample.NAMESPACE).withName(name)
                                                .inContainer(NodeExample.BROKER).getLog())
                                .filter(log -> log.contains(NodeExample.SLAVE_LINE)).isPresent();
                    }, () -> "");
                    printer.catchUp();
                    say(start, "*** the kubelet restarted " + name + "'s broker; it waits for the lock as the standby");
                }
                awaitOneLeader(client, view);
            }
        }
        say(start, "done");
    }

    private static List<Pod> pods(KubernetesClient client) {
        return client.pods().inNamespace(NodeExample.NAMESPACE).list().getItems();
    }

    private static Pod awaitOneLeader(KubernetesClient client, ServiceView view) {
        ServiceView.Observation state = view.await("one pod labeled leader=yes, the Service's only endpoint", SETTLE,
                o -> o.leaderLabels().values().stream().filter(Labels.LEADER_YES::equals).count() == 1
                        && o.endpoints().size() == 1);
        String leader = state.leaderLabels().entrySet().stream().filter(e -> Labels.LEADER_YES.equals(e.getValue()))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        return client.pods().inNamespace(NodeExample.NAMESPACE).withName(leader).get();
    }

    private static boolean accepts(String clusterIp) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(clusterIp, OPENWIRE), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /**
     * Prints the view's changes as they arrive. The main thread calls {@link #catchUp} before each of its own lines, so
     * a change it reacted to is printed before its reaction.
     */
    private static final class ChangePrinter implements AutoCloseable {
        private final KubernetesClient client;
        private final ServiceView view;
        private final long start;
        private final Thread thread;
        private int printed;

        ChangePrinter(KubernetesClient client, ServiceView view, long start) {
            this.client = client;
            this.view = view;
            this.start = start;
            // From the state at the start on: the watches' initial events are history by then.
            this.printed = Math.max(0, view.history().size() - 1);
            this.thread = new Thread(this::run, "demo-printer");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (!Thread.currentThread().isInterrupted()) {
                catchUp();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        synchronized void catchUp() {
            List<ServiceView.Observation> history = view.history();
            if (printed == history.size()) {
                return;
            }
            for (; printed < history.size(); printed++) {
                ServiceView.Observation o = history.get(printed);
                say(start, o.epochMillis(), "leader=yes: " + leaders(o) + "   Service endpoints: "
                        + endpoints(client, o.endpoints()));
            }
        }

        @Override
        public void close() {
            thread.interrupt();
            catchUp();
        }
    }

    private static String leaders(ServiceView.Observation o) {
        return o.leaderLabels().entrySet().stream().filter(e -> Labels.LEADER_YES.equals(e.getValue()))
                .map(Map.Entry::getKey).collect(Collectors.joining(", ", "[", "]"));
    }

    /** The addresses, each with the name of the pod that has it. */
    private static String endpoints(KubernetesClient client, Set<String> addresses) {
        Map<String, String> names = pods(client).stream().filter(p -> p.getStatus().getPodIP() != null)
                .collect(Collectors.toMap(p -> p.getStatus().getPodIP(), p -> p.getMetadata().getName(), (a, b) -> a));
        return addresses.stream().map(a -> a + " (" + names.getOrDefault(a, "?") + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static void say(long start, String text) {
        say(start, System.currentTimeMillis(), text);
    }

    private static synchronized void say(long start, long at, String text) {
        System.out.printf("[%7.3fs] %s%n", (at - start) / 1000.0, text);
    }
}
