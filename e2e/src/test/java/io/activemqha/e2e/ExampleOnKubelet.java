package io.activemqha.e2e;

import io.activemqha.common.Labels;
import io.activemqha.e2e.failover.ContainerImages;
import io.activemqha.e2e.failover.Kubelet;
import io.activemqha.e2e.failover.RunningPod;
import io.activemqha.e2e.failover.ServiceView;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The example Deployment (deploy/examples/activemq-nfs) applied through the real webhook and its two admitted pods run
 * by the process {@link Kubelet}, with a watch of the Service's labels and EndpointSlices. Closing stops the pods and
 * deletes the example.
 */
final class ExampleOnKubelet implements AutoCloseable {
    static final String NAMESPACE = "activemq";
    static final String SERVICE = "activemq";

    private final ControlPlane plane;
    private final Kubelet kubelet;
    private final BrokerPods pods;
    private final ServiceView view;

    private ExampleOnKubelet(ControlPlane plane, Kubelet kubelet, BrokerPods pods, ServiceView view) {
        this.plane = plane;
        this.kubelet = kubelet;
        this.pods = pods;
        this.view = view;
    }

    /** Applies the example, waits for its 2 admitted pods and runs them on a new kubelet. */
    static ExampleOnKubelet start(ControlPlane plane, ActiveMqHa activeMqHa, Duration timeout) {
        // The webhook trusts a namespace's provisioning for --rbac-cache-ttl (30 s). An earlier class may have
        // deleted the example's namespace, provisioned ServiceAccount included; in the re-created namespace a running
        // webhook would skip provisioning and the API server would refuse every pod ("serviceaccount ... not found")
        // until the entry expires; a restart empties the cache, so the test does not wait for the TTL.
        activeMqHa.stopWebhook();
        activeMqHa.startWebhook();
        plane.kubectl().succeed("apply", "-k", example().toString());
        List<Pod> admitted = Await.until("2 admitted pods of the example", timeout, () -> {
            List<Pod> current = plane.client().pods().inNamespace(NAMESPACE).list().getItems();
            return current.size() == 2 ? Optional.of(current) : Optional.empty();
        }, () -> activeMqHa.webhook().process().logTail(20));
        ServiceView view = ServiceView.watch(plane.client(), NAMESPACE, SERVICE);
        Kubelet kubelet = null;
        try {
            kubelet = Kubelet.start(plane, "e2e-node-0", ContainerImages.in(E2eSettings.projectRoot()),
                    E2eSettings.logDirectory());
            List<RunningPod> running = new ArrayList<>();
            for (Pod pod : admitted.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList()) {
                running.add(kubelet.run(pod));
            }
            return new ExampleOnKubelet(plane, kubelet, new BrokerPods(running), view);
        } catch (RuntimeException e) {
            new ExampleOnKubelet(plane, kubelet, null, view).closeAfterFailure(e);
            throw e;
        }
    }

    Kubelet kubelet() {
        return kubelet;
    }

    BrokerPods pods() {
        return pods;
    }

    ServiceView view() {
        return view;
    }

    /** Waits for one lock holder whose pod alone is labeled leader=yes and alone is the Service's endpoint. */
    RunningPod awaitSteadyState(Duration timeout) {
        RunningPod holder = Await.until("a broker holding the lock", timeout, pods::lockHolder,
                () -> pods.all().stream().map(p -> p.container(BrokerPods.BROKER).logTail(15))
                        .reduce("", (a, b) -> a + "\n" + b));
        RunningPod standby = pods.other(holder);
        view.await("the endpoints and labels to follow lock holder " + holder.name(), timeout,
                o -> o.endpoints().equals(Set.of(holder.address()))
                        && Labels.LEADER_YES.equals(o.leader(holder.name()))
                        && Labels.LEADER_NO.equals(o.leader(standby.name())));
        return holder;
    }

    static Path example() {
        return E2eSettings.projectRoot().resolve("deploy/examples/activemq-nfs");
    }

    private void closeAfterFailure(RuntimeException cause) {
        try {
            close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        try {
            if (view != null) {
                view.close();
            }
            if (kubelet != null) {
                kubelet.close();
            }
        } finally {
            // No kubelet confirms the deletion of bound pods any more: force it, then remove the example.
            plane.kubectl("delete", "pods", "--all", "-n", NAMESPACE, "--grace-period=0", "--force");
            plane.kubectl().succeed("delete", "-k", example().toString(), "--ignore-not-found", "--wait=true",
                    "--timeout=90s");
        }
    }
}
