package io.activemqha.labeler.chaos;

import io.activemqha.common.Labels;
import io.activemqha.labeler.testing.MockApi;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the group's {@code leader} labels through the API on a fixed period, in its own thread, and checks
 * continuously that no two pods are {@code leader=yes} for longer than {@code window} of API availability (while
 * the API server is down nobody can change a label, so that time is not held against the labelers). The last
 * sample is what the test's JMS client routes by, as a Service would.
 */
final class LeaderSampler implements AutoCloseable {
    private final MockApi api;
    private final String namespace;
    private final Duration period;
    private final Duration window;
    private final ChaosLog log;
    private final Thread thread;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private volatile List<String> leaders = List.of();
    private volatile boolean running = true;
    private long overlapNanos;
    private long maxOverlapNanos;
    private long lastSampleNanos;

    LeaderSampler(MockApi api, String namespace, Duration period, Duration window, ChaosLog log) {
        this.api = api;
        this.namespace = namespace;
        this.period = period;
        this.window = window;
        this.log = log;
        this.thread = new Thread(this::run, "chaos-leader-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Pods labeled {@code leader=yes} at the last successful sample. */
    List<String> leaders() {
        return leaders;
    }

    /** The one pod labeled {@code leader=yes} at the last sample, if exactly one is. */
    Optional<String> soleLeader() {
        List<String> now = leaders;
        return now.size() == 1 ? Optional.of(now.get(0)) : Optional.empty();
    }

    long samples() {
        return samples.get();
    }

    long unavailableSamples() {
        return unavailable.get();
    }

    synchronized Duration longestOverlap() {
        return Duration.ofNanos(maxOverlapNanos);
    }

    private void run() {
        while (running) {
            sample();
            try {
                Thread.sleep(period.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        List<Pod> pods;
        try {
            pods = api.client().pods().inNamespace(namespace).list().getItems();
        } catch (RuntimeException e) {
            unavailable.incrementAndGet();
            synchronized (this) {
                lastSampleNanos = 0; // an outage: the overlap clock does not run while no label can change
            }
            return;
        }
        List<String> yes = new ArrayList<>();
        for (Pod pod : pods) {
            if (pod.getMetadata().getLabels() != null
                    && Objects.equals(Labels.LEADER_YES, pod.getMetadata().getLabels().get(Labels.LEADER))) {
                yes.add(pod.getMetadata().getName());
            }
        }
        yes.sort(null);
        leaders = List.copyOf(yes);
        samples.incrementAndGet();
        long now = System.nanoTime();
        synchronized (this) {
            if (yes.size() > 1) {
                overlapNanos += lastSampleNanos == 0 ? 0 : now - lastSampleNanos;
                maxOverlapNanos = Math.max(maxOverlapNanos, overlapNanos);
                if (overlapNanos > window.toNanos()) {
                    log.violation("two leaders " + yes + " for " + Duration.ofNanos(overlapNanos).toMillis()
                            + " ms of API availability (window " + window.toMillis() + " ms)");
                    overlapNanos = Long.MIN_VALUE / 2; // one report per episode
                }
            } else {
                overlapNanos = 0;
            }
            lastSampleNanos = now;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
