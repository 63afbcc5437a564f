package io.activemqha.labeler.kube;

import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.lease.OwnPod;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The latest version of the labeler's own pod that the API server returned, as the lease keeper needs it: its UID
 * and which of its lease-locker containers the kubelet reports running. Fed by the label loop's watch.
 */
public final class OwnPods implements Consumer<Pod>, Supplier<Optional<OwnPod>> {
    private final AtomicReference<OwnPod> latest = new AtomicReference<>();

    @Override
    public void accept(Pod pod) {
        latest.set(of(pod));
    }

    @Override
    public Optional<OwnPod> get() {
        return Optional.ofNullable(latest.get());
    }

    /**
     * The lease-locker containers are those whose environment names the locker's endpoint (the webhook sets it in
     * every broker container of a lease-mode pod); running means the kubelet's last report says so.
     */
    static OwnPod of(Pod pod) {
        Set<String> lockers = pod.getSpec().getContainers().stream().filter(OwnPods::runsLocker).map(Container::getName)
                .collect(Collectors.toSet());
        List<ContainerStatus> statuses = pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null
                ? List.of() : pod.getStatus().getContainerStatuses();
        Set<String> running = statuses.stream()
                .filter(s -> lockers.contains(s.getName()) && s.getContainerID() != null && s.getState() != null
                        && s.getState().getRunning() != null)
                .map(ContainerStatus::getContainerID).collect(Collectors.toSet());
        return new OwnPod(pod.getMetadata().getUid(), running);
    }

    private static boolean runsLocker(Container container) {
        return container.getEnv() != null
                && container.getEnv().stream().anyMatch(e -> LeaseContract.ENV_LEASE_URL.equals(e.getName()));
    }
}
