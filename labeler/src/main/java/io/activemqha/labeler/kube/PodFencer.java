package io.activemqha.labeler.kube;

import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.lease.HolderFencer;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fences a previous Lease holder through its kubelet: deletes its pod gracefully (one second, so a frozen process is
 * killed without ever running again), for exactly the incarnation that held the Lease (a UID precondition), and
 * watches that pod until a version shows every container ended. Only the kubelet writes that, after the processes
 * are gone; a force-deleted pod vanishes without it, and then only the keeper's bound ends the wait.
 */
public final class PodFencer implements HolderFencer {
    private static final Logger LOG = LoggerFactory.getLogger(PodFencer.class);
    private static final long GRACE_SECONDS = 1;
    private static final int NOT_FOUND = 404;
    private static final int CONFLICT = 409;

    private final KubernetesClient client;
    private final String namespace;
    private final Executor executor;

    /** @param executor runs the delete call, off the lease request's thread */
    public PodFencer(KubernetesClient client, String namespace, Executor executor) {
        this.client = client;
        this.namespace = namespace;
        this.executor = executor;
    }

    @Override
    public Fencing fence(String holderIdentity) {
        String pod = LeaseContract.podNameOf(holderIdentity);
        String uid = LeaseContract.podUidOf(holderIdentity);
        AtomicBoolean ended = new AtomicBoolean();
        if (uid.isEmpty()) {
            LOG.warn("the previous holder {} names no pod UID: its pod is not deleted, and its end cannot be confirmed",
                    holderIdentity);
            return fencing(ended, null);
        }
        Watch watch;
        try {
            watch = client.pods().inNamespace(namespace).withField("metadata.name", pod).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod seen) {
                    if (uid.equals(seen.getMetadata().getUid()) && ended(seen) && ended.compareAndSet(false, true)) {
                        LOG.info("the kubelet reports every container of pod {} ({}) ended", pod, uid);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    LOG.debug("watch on pod {} closed: {}", pod, cause == null ? "normally" : cause.getMessage());
                }
            });
        } catch (KubernetesClientException e) {
            LOG.warn("cannot watch pod {} to confirm its end ({}); waiting for the bound", pod, ApiErrors.describe(e));
            return fencing(ended, null);
        }
        executor.execute(() -> delete(pod, uid, ended));
        return fencing(ended, watch);
    }

    /**
     * Deletes the pod, unless the API server already shows it ended (then there is nothing to kill, and the API server
     * would turn any grace period into a force delete, which the labeler's policy refuses).
     */
    private void delete(String pod, String uid, AtomicBoolean ended) {
        try {
            Pod current = client.pods().inNamespace(namespace).withName(pod).get();
            if (current == null || !uid.equals(current.getMetadata().getUid())) {
                LOG.warn("pod {} ({}) of the previous holder is already gone from the API server: its end cannot be "
                        + "confirmed", pod, uid);
                return;
            }
            if (ended(current)) {
                ended.set(true);
                LOG.info("the kubelet reports every container of pod {} ({}) ended", pod, uid);
                return;
            }
            client.raw("/api/v1/namespaces/" + namespace + "/pods/" + pod, "DELETE", new DeleteOptionsBuilder()
                    .withApiVersion("v1").withKind("DeleteOptions").withGracePeriodSeconds(GRACE_SECONDS)
                    .withNewPreconditions().withUid(uid).endPreconditions().build());
            LOG.info("deleted pod {} ({}) of the previous holder, grace {} s", pod, uid, GRACE_SECONDS);
        } catch (KubernetesClientException e) {
            if (e.getCode() == NOT_FOUND || e.getCode() == CONFLICT) {
                LOG.warn("pod {} ({}) of the previous holder is already gone from the API server: its end cannot be "
                        + "confirmed", pod, uid);
            } else {
                LOG.warn("cannot delete pod {} ({}) of the previous holder: {}", pod, uid, ApiErrors.describe(e));
            }
        }
    }

    private static Fencing fencing(AtomicBoolean ended, Watch watch) {
        return new Fencing() {
            @Override
            public boolean confirmed() {
                return ended.get();
            }

            @Override
            public void close() {
                if (watch != null) {
                    watch.close();
                }
            }
        };
    }

    /** Whether the kubelet reports the pod finished, or every one of its containers ended. */
    static boolean ended(Pod pod) {
        if (pod.getStatus() == null) {
            return false;
        }
        String phase = pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return true;
        }
        List<ContainerStatus> statuses = Stream.concat(
                pod.getStatus().getContainerStatuses() == null ? Stream.empty() : pod.getStatus().getContainerStatuses().stream(),
                pod.getStatus().getInitContainerStatuses() == null ? Stream.empty()
                        : pod.getStatus().getInitContainerStatuses().stream()).toList();
        return !statuses.isEmpty() && statuses.stream().allMatch(s -> s.getState() != null && s.getState().getTerminated() != null);
    }
}
