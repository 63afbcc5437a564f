package io.activemqha.e2e;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the kubelets reported about a namespace's pods, as an informer saw it, with when (epoch ms, this machine): every
 * container that ended (its {@code state} or {@code lastState} terminated, with its exit code), and every pod
 * deletion. An informer relists after a lost watch (an API server that was stopped), so a container's end is still
 * found in a later version ({@code lastState}) of its pod.
 */
final class PodHistory implements AutoCloseable {
    /** A container that ended: the pod (name and UID), the container, its ID, its exit code, when it was first seen. */
    record End(String pod, String uid, String container, String containerId, int exitCode, String reason,
               long seenMillis) {
    }

    private final SharedIndexInformer<Pod> informer;
    private final List<End> ends = new ArrayList<>();
    private final Set<String> endedContainers = new HashSet<>();
    private final Map<String, Long> deletedByUid = new HashMap<>();

    private PodHistory(KubernetesClient client, String namespace) {
        this.informer = client.pods().inNamespace(namespace).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                observe(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                observe(after);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                observe(pod);
                synchronized (PodHistory.this) {
                    deletedByUid.putIfAbsent(pod.getMetadata().getUid(), System.currentTimeMillis());
                }
            }
        });
    }

    /** Starts recording the pods of {@code namespace}. */
    static PodHistory watch(KubernetesClient client, String namespace) {
        PodHistory history = new PodHistory(client, namespace);
        history.informer.run();
        return history;
    }

    private synchronized void observe(Pod pod) {
        if (pod.getStatus() == null) {
            return;
        }
        long now = System.currentTimeMillis();
        Stream.concat(Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of()).stream(),
                Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of()).stream())
                .forEach(status -> {
                    record(pod, status, status.getLastState(), now);
                    record(pod, status, status.getState(), now);
                });
    }

    private void record(Pod pod, ContainerStatus status, ContainerState state, long now) {
        ContainerStateTerminated terminated = state == null ? null : state.getTerminated();
        if (terminated == null || terminated.getContainerID() == null || terminated.getExitCode() == null
                || !endedContainers.add(terminated.getContainerID())) {
            return;
        }
        ends.add(new End(pod.getMetadata().getName(), pod.getMetadata().getUid(), status.getName(),
                terminated.getContainerID(), terminated.getExitCode(), terminated.getReason(), now));
    }

    /** The containers {@code container} seen ended at or after {@code sinceMillis}. */
    synchronized List<End> endsSince(String container, long sinceMillis) {
        return ends.stream().filter(e -> e.container().equals(container) && e.seenMillis() >= sinceMillis).toList();
    }

    /** When the pod with UID {@code uid} was seen deleted from the API. */
    synchronized Optional<Long> deleted(String uid) {
        return Optional.ofNullable(deletedByUid.get(uid));
    }

    @Override
    public void close() {
        informer.close();
    }
}
