package io.activemqha.labeler.kube;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.LabelerEvents;
import io.activemqha.labeler.DaemonThreads;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on the own pod (core/v1, {@code create} only). Best effort and asynchronous:
 * a slow or absent API server never delays a label change, and a full queue drops the oldest event.
 */
public final class PodEventRecorder implements AutoCloseable {
    /** Event reasons, stable for {@code kubectl get events --field-selector reason=...} (and read by the kubectl plugin). */
    public static final String PROMOTED = LabelerEvents.PROMOTED;
    public static final String DEMOTED = LabelerEvents.DEMOTED;
    public static final String FENCED = LabelerEvents.FENCED;

    private static final Logger LOG = LoggerFactory.getLogger(PodEventRecorder.class);

    private final KubernetesClient client;
    private final PodRef self;
    private final ThreadPoolExecutor executor;
    private final AtomicLong sequence = new AtomicLong();

    public PodEventRecorder(KubernetesClient client, PodRef self) {
        this.client = client;
        this.self = self;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(32),
                DaemonThreads.named("pod-events"), new ThreadPoolExecutor.DiscardOldestPolicy());
    }

    /** Queues a Normal event; {@code podUid} binds it to this incarnation of the pod (may be null). */
    public void normal(String podUid, String reason, String message) {
        record(podUid, "Normal", reason, message);
    }

    /** Queues a Warning event. */
    public void warning(String podUid, String reason, String message) {
        record(podUid, "Warning", reason, message);
    }

    private void record(String podUid, String type, String reason, String message) {
        Instant now = Instant.now();
        executor.execute(() -> {
            Event event = new EventBuilder()
                    .withNewMetadata()
                    .withName(self.name() + "." + Long.toHexString(now.toEpochMilli() * 1000 + sequence.incrementAndGet() % 1000))
                    .withNamespace(self.namespace())
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder()
                            .withApiVersion("v1").withKind("Pod")
                            .withNamespace(self.namespace()).withName(self.name()).withUid(podUid).build())
                    .withType(type)
                    .withReason(reason)
                    .withMessage(message)
                    .withNewSource().withComponent(LabelerContract.CONTAINER_NAME).endSource()
                    .withReportingComponent("activemq-ha/" + LabelerContract.CONTAINER_NAME)
                    .withReportingInstance(self.name())
                    .withFirstTimestamp(now.toString())
                    .withLastTimestamp(now.toString())
                    .withCount(1)
                    .build();
            try {
                client.v1().events().inNamespace(self.namespace()).resource(event).create();
            } catch (RuntimeException e) {
                LOG.warn("event {} on pod {} not recorded: {}", reason, self, ApiErrors.describe(e));
            }
        });
    }

    /** Gives queued events up to {@code budget} to be sent, then drops the rest. */
    public void drain(Duration budget) {
        executor.shutdown();
        try {
            executor.awaitTermination(budget.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
