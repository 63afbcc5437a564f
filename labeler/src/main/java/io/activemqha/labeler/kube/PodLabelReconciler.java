package io.activemqha.labeler.kube;

import io.activemqha.common.Labels;
import io.activemqha.labeler.BrokerActivity;
import io.activemqha.labeler.health.Heartbeat;
import io.activemqha.labeler.health.LabelerMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Level-triggered owner of the own pod's {@code leader} label: desired = broker active ? yes : no. It
 * observes the pod through a watch (informer) and a periodic re-read, and patches only the label key
 * (JSON merge patch) whenever observed and desired differ - on start, after a broker change, and after
 * someone else changed the label. API errors are retried with capped, jittered back-off, forever.
 * All state is confined to the single {@code loop} thread.
 */
public final class PodLabelReconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PodLabelReconciler.class);

    private final KubernetesClient client;
    private final PodRef self;
    private final Fencer fencer;
    private final PodEventRecorder events;
    private final LabelerMetrics metrics;
    private final Backoff backoff;
    private final ScheduledExecutorService loop;
    private final Heartbeat heartbeat;
    private final Duration resyncInterval;
    private final LongSupplier nanoClock;
    private final Consumer<Pod> podListener;
    private final AtomicReference<BrokerActivity> desired = new AtomicReference<>();

    private SharedIndexInformer<Pod> informer;
    private volatile boolean stopping;
    // Loop-confined state.
    private Pod observed;
    private String applied;
    private boolean fencePending;
    private int failures;
    private String lastFailure;
    private ScheduledFuture<?> retry;

    public PodLabelReconciler(KubernetesClient client, PodRef self, Fencer fencer, PodEventRecorder events,
                              LabelerMetrics metrics, Backoff backoff, ScheduledExecutorService loop, Heartbeat heartbeat,
                              Duration resyncInterval, LongSupplier nanoClock, Consumer<Pod> podListener) {
        this.client = client;
        this.self = self;
        this.fencer = fencer;
        this.events = events;
        this.metrics = metrics;
        this.backoff = backoff;
        this.loop = loop;
        this.heartbeat = heartbeat;
        this.resyncInterval = resyncInterval;
        this.nanoClock = nanoClock;
        this.podListener = podListener;
    }

    /** Starts the watch on the own pod, the periodic re-read and the loop's heartbeat; does not block. */
    public void start() {
        loop.scheduleWithFixedDelay(heartbeat::beat, 0, 1, TimeUnit.SECONDS);
        loop.scheduleWithFixedDelay(() -> {
            observed = null;
            reconcile();
        }, resyncInterval.toMillis(), resyncInterval.toMillis(), TimeUnit.MILLISECONDS);
        informer = client.pods().inNamespace(self.namespace()).withName(self.name()).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                loop.execute(() -> observe(pod));
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                loop.execute(() -> observe(pod));
            }

            @Override
            public void onDelete(Pod pod, boolean unknownFinalState) {
                loop.execute(() -> observed = null);
            }
        });
        // Keep watching through API outages: the informer re-lists and re-watches once the server is back.
        informer.exceptionHandler((started, t) -> {
            LOG.debug("watch on pod {} failed, retrying: {}", self, ApiErrors.describe(t));
            return true;
        });
        informer.start();
    }

    /** Hands over the monitor's latest finding; thread-safe, returns at once. */
    public void desire(BrokerActivity activity) {
        metrics.brokerActive(activity.active());
        desired.set(activity);
        if (!stopping) {
            loop.execute(this::reconcile);
        }
    }

    private void observe(Pod pod) {
        if (observed != null && isOlder(pod, observed)) {
            return;
        }
        observed = pod;
        podListener.accept(pod);
        reconcile();
    }

    private void reconcile() {
        BrokerActivity want = desired.get();
        if (want == null || stopping) {
            return;
        }
        try {
            converge(want);
            if (failures > 0) {
                LOG.info("Kubernetes API reachable again after {} failed attempt(s)", failures);
            }
            failures = 0;
            lastFailure = null;
        } catch (RuntimeException e) {
            scheduleRetry(e);
        }
    }

    /** One attempt to make the label match {@code want}; throws on any API error. */
    private void converge(BrokerActivity want) {
        String value = Labels.leaderValue(want.active());
        if (observed == null) {
            observed = client.pods().inNamespace(self.namespace()).withName(self.name()).get();
            if (observed == null) {
                throw new IllegalStateException("own pod " + self + " not found");
            }
            podListener.accept(observed);
            metrics.apiSucceeded();
        }
        String current = leaderLabel(observed);
        if (!value.equals(current)) {
            long patchStart = nanoClock.getAsLong();
            observed = client.pods().inNamespace(self.namespace()).withName(self.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), LabelPatch.leader(value));
            metrics.apiSucceeded();
            long now = nanoClock.getAsLong();
            labelChanged(want, current, value, (now - want.detectedAtNanos()) / 1_000_000, (now - patchStart) / 1_000_000);
            fencePending = want.active();
        }
        metrics.leaderLabel(Labels.LEADER_YES.equals(value));
        applied = value;
        if (fencePending && want.active()) {
            fencer.fencePeers(observed, want);
            fencePending = false;
        }
    }

    private void labelChanged(BrokerActivity want, String previous, String value, long latencyMillis, long patchMillis) {
        if (value.equals(applied)) {
            // Someone else changed the label and this loop put it back: a correction, not a broker transition.
            LOG.warn("corrected pod {}: {}={} -> {} (changed by someone else), patch {} ms", self, Labels.LEADER,
                    previous, value, patchMillis);
            return;
        }
        boolean promotion = want.active();
        if (previous == null && !promotion) {
            // A pod without the label was never routed to: labeling it "no" is no demotion.
            LOG.info("labeled pod {}: {}={} ({}); detection to label {} ms", self.name(), Labels.LEADER, value,
                    want.reason(), latencyMillis);
            return;
        }
        String verb = promotion ? "promoted" : "demoted";
        String message = String.format("%s pod %s: %s=%s -> %s, %s; detection to label %d ms (patch %d ms); %s",
                verb, self.name(), Labels.LEADER, previous == null ? "<none>" : previous, value, want.brokerText(),
                latencyMillis, patchMillis, want.reason());
        LOG.info(message);
        if (promotion) {
            metrics.promoted(latencyMillis);
        } else {
            metrics.demoted(latencyMillis);
        }
        events.normal(observed.getMetadata().getUid(), promotion ? PodEventRecorder.PROMOTED : PodEventRecorder.DEMOTED, message);
    }

    private void scheduleRetry(RuntimeException e) {
        failures++;
        metrics.apiError();
        Duration delay = backoff.delay(failures);
        String description = ApiErrors.describe(e);
        if (!description.equals(lastFailure) || failures == 1) {
            LOG.warn("labeling pod {} failed ({}), retrying with back-off (next in {} ms)", self, description, delay.toMillis());
        } else {
            LOG.debug("labeling pod {} failed again ({}), attempt {}, next in {} ms", self, description, failures, delay.toMillis());
        }
        lastFailure = description;
        observed = null;
        if (retry != null) {
            retry.cancel(false);
        }
        retry = loop.schedule(this::reconcile, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Demotes the own pod, bounded by {@code budget}, and stops reconciling: the SIGTERM path. Retries
     * quickly within the budget, since the Service must stop routing here before the broker goes away.
     *
     * @return whether the pod is known to be labeled {@code leader=no}
     */
    public boolean demoteAndStop(Duration budget, BrokerActivity reason) {
        long deadline = nanoClock.getAsLong() + budget.toNanos();
        stopping = true;
        desired.set(reason);
        Future<Boolean> done = loop.submit(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
            int attempts = 0;
            while (nanoClock.getAsLong() < deadline) {
                attempts++;
                try {
                    observed = client.pods().inNamespace(self.namespace()).withName(self.name())
                            .patch(PatchContext.of(PatchType.JSON_MERGE), LabelPatch.leader(Labels.LEADER_NO));
                    long latency = (nanoClock.getAsLong() - reason.detectedAtNanos()) / 1_000_000;
                    metrics.leaderLabel(false);
                    LOG.info("demoted pod {} on shutdown: {}={} in {} ms", self, Labels.LEADER, Labels.LEADER_NO, latency);
                    return true;
                } catch (RuntimeException e) {
                    if (attempts == 1) {
                        LOG.warn("demotion on shutdown failed ({}), retrying until the shutdown budget is spent",
                                ApiErrors.describe(e));
                    }
                    Thread.sleep(100);
                }
            }
            LOG.warn("pod {} not demoted on shutdown after {} attempt(s)", self, attempts);
            return false;
        });
        try {
            return done.get(Math.max(1, deadline - nanoClock.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            done.cancel(true);
            LOG.warn("demotion of pod {} did not finish within {} ms", self, budget.toMillis());
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String leaderLabel(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Labels.LEADER);
    }

    /** Whether {@code a} is an older version of the pod than {@code b} (resourceVersions compared when numeric). */
    static boolean isOlder(Pod a, Pod b) {
        try {
            return Long.parseLong(a.getMetadata().getResourceVersion()) < Long.parseLong(b.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    @Override
    public void close() {
        stopping = true;
        if (informer != null) {
            informer.close();
        }
    }
}
