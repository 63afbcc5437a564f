package io.activemqha.e2e.failover;

import io.activemqha.common.Labels;
import io.activemqha.e2e.ActiveMqHa;
import io.activemqha.e2e.Await;
import io.activemqha.e2e.ControlPlane;
import io.activemqha.e2e.ControlPlaneBinaries;
import io.activemqha.e2e.ProductJars;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The local failover demo ({@code e2e/demo.sh}): a real control plane, the webhook, the example's two broker pods on
 * the process kubelet; then it SIGKILLs the leader's broker a few times, printing every change of the
 * {@code leader} labels and of the Service's endpoints as it happens.
 *
 * <p>Arguments: {@code <project root> [kills]}. Must run in a network namespace holding only loopback
 * ({@code e2e/netns/bin/java}), like the tests.
 */
public final class FailoverDemo {
    private static final String NAMESPACE = "activemq";
    private static final Duration SETTLE = Duration.ofSeconds(120);

    private FailoverDemo() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: FailoverDemo <project root> [kills]");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        int kills = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path logs = root.resolve("e2e/target/demo-logs")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        long start = System.currentTimeMillis();
        say(start, "starting etcd, kube-apiserver, kube-controller-manager (logs: " + logs + ")");
        try (ControlPlane plane = ControlPlane.start(ControlPlaneBinaries.locate(), logs)) {
            say(start, "installing activemq-ha (deploy/install, certs create/patch, webhook)");
            try (ActiveMqHa installation = ActiveMqHa.install(plane, ProductJars.in(root), root, logs)) {
                run(plane, root, logs, kills, start);
            } finally {
                plane.kubectl("delete", "pods", "--all", "-n", NAMESPACE, "--grace-period=0", "--force");
            }
        }
        say(start, "done: everything stopped");
    }

    private static void run(ControlPlane plane, Path root, Path logs, int kills, long start) throws Exception {
        say(start, "kubectl apply -k deploy/examples/activemq-nfs");
        plane.kubectl().succeed("apply", "-k", root.resolve("deploy/examples/activemq-nfs").toString());
        List<Pod> admitted = Await.until("2 pods of the example", SETTLE, () -> {
            List<Pod> pods = plane.client().pods().inNamespace(NAMESPACE).list().getItems();
            return pods.size() == 2 ? Optional.of(pods) : Optional.empty();
        }, () -> "the ReplicaSet created fewer");
        try (ServiceView view = ServiceView.watch(plane.client(), NAMESPACE, NAMESPACE);
             Kubelet kubelet = Kubelet.start(plane, "demo-node", ContainerImages.in(root), logs)) {
            List<RunningPod> pods = new ArrayList<>();
            admitted.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                    .forEach(pod -> pods.add(kubelet.run(pod)));
            pods.forEach(pod -> say(start, "pod " + pod.name() + " runs at " + pod.address()
                    + " (broker + leader-labeler sidecar)"));
            Thread printer = printChanges(view, pods, start);
            try {
                for (int kill = 1; kill <= kills; kill++) {
                    RunningPod leader = awaitOneLeader(view, pods);
                    RunningPod standby = pods.stream().filter(p -> p != leader).findFirst().orElseThrow();
                    say(start, "*** kill -9 the broker of the leader " + leader.name() + " (" + kill + "/" + kills + ")");
                    long killed = System.currentTimeMillis();
                    leader.kill("activemq");
                    view.await("the endpoints to move to " + standby.name(), SETTLE,
                            o -> o.endpoints().equals(Set.of(standby.address())));
                    say(start, "*** the Service routes to " + standby.name() + " " + (System.currentTimeMillis()
                            - killed) + " ms after the kill; restarting the killed broker as the new standby");
                    long slaveBefore = PodBroker.slaveAnnouncements(leader.container("activemq").log());
                    leader.restart("activemq");
                    Await.untilTrue(leader.name() + "'s broker to wait as a slave", SETTLE,
                            () -> PodBroker.slaveAnnouncements(leader.container("activemq").log()) > slaveBefore,
                            () -> leader.container("activemq").logTail(20));
                    say(start, leader.name() + "'s restarted broker waits for the lock as the standby");
                }
                awaitOneLeader(view, pods);
            } finally {
                printer.interrupt();
            }
        }
    }

    private static RunningPod awaitOneLeader(ServiceView view, List<RunningPod> pods) {
        ServiceView.Observation state = view.await("one pod labeled leader=yes and alone in the endpoints", SETTLE,
                o -> pods.stream().filter(p -> Labels.LEADER_YES.equals(o.leader(p.name()))).count() == 1
                        && o.endpoints().size() == 1
                        && pods.stream().anyMatch(p -> Labels.LEADER_YES.equals(o.leader(p.name()))
                        && o.endpoints().contains(p.address())));
        return pods.stream().filter(p -> Labels.LEADER_YES.equals(state.leader(p.name()))).findFirst().orElseThrow();
    }

    private static Thread printChanges(ServiceView view, List<RunningPod> pods, long start) {
        Map<String, String> names = pods.stream().collect(Collectors.toMap(RunningPod::address, RunningPod::name));
        Thread printer = new Thread(() -> {
            int printed = 0;
            while (!Thread.currentThread().isInterrupted()) {
                List<ServiceView.Observation> history = view.history();
                for (; printed < history.size(); printed++) {
                    ServiceView.Observation o = history.get(printed);
                    String leaders = o.leaderLabels().entrySet().stream().filter(e -> e.getValue().equals("yes"))
                            .map(Map.Entry::getKey).collect(Collectors.joining(", "));
                    String endpoints = o.endpoints().stream().map(a -> a + " (" + names.getOrDefault(a, "?") + ")")
                            .collect(Collectors.joining(", "));
                    say(start, o.epochMillis(), "leader=yes: [" + leaders + "]   Service endpoints: [" + endpoints + "]");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "demo-printer");
        printer.setDaemon(true);
        printer.start();
        return printer;
    }

    private static void say(long start, String text) {
        say(start, System.currentTimeMillis(), text);
    }

    private static synchronized void say(long start, long at, String text) {
        System.out.printf("[%7.3fs] %s%n", (at - start) / 1000.0, text);
    }
}
