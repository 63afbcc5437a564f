package io.activemqha.e2e;

import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Samples, through the API server (the test's own loopback connection, which no fault touches), the pods' leader
 * labels and the ready addresses of the Service's EndpointSlices, and measures every stretch of samples with more than
 * one leader: two pods labeled leader=yes, or more than one ready endpoint. A stretch counts only its time outside the
 * API outages the test injected (no label can change while the labelers cannot reach the API server); a stretch longer
 * than the window is a violation.
 */
final class LeaderSampler implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final String service;
    private final long intervalMs;
    private final long windowMs;
    private final List<long[]> outages = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long samples;
    private long samplingErrors;
    private long stretchStart = -1;
    private long longestStretchMs;
    private boolean stretchReported;

    LeaderSampler(KubernetesClient client, String namespace, String service, long intervalMs, long windowMs) {
        this.client = client;
        this.namespace = namespace;
        this.service = service;
        this.intervalMs = intervalMs;
        this.windowMs = windowMs;
        this.thread = new Thread(this::run, "leader-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Records that the pods cannot reach the API server from {@code startMillis} until {@link #outageEnded}. */
    synchronized void outageStarted(long startMillis) {
        outages.add(new long[] {startMillis, Long.MAX_VALUE});
    }

    synchronized void outageEnded(long endMillis) {
        outages.get(outages.size() - 1)[1] = endMillis;
    }

    private void run() {
        while (running) {
            try {
                sample();
            } catch (RuntimeException e) {
                synchronized (this) {
                    samplingErrors++;
                }
            }
            try {
                Thread.sleep(intervalMs);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        long leaders = client.pods().inNamespace(namespace).list().getItems().stream()
                .map(Pod::getMetadata).map(m -> Optional.ofNullable(m.getLabels()).orElse(Map.of()))
                .filter(labels -> Labels.LEADER_YES.equals(labels.get(Labels.LEADER))).count();
        Set<String> endpoints = new TreeSet<>();
        for (EndpointSlice slice : client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", service).list().getItems()) {
            for (Endpoint endpoint : Optional.ofNullable(slice.getEndpoints()).orElse(List.of())) {
                if (endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady())) {
                    endpoints.addAll(endpoint.getAddresses());
                }
            }
        }
        record(System.currentTimeMillis(), leaders, endpoints);
    }

    private synchronized void record(long now, long leaders, Set<String> endpoints) {
        samples++;
        if (leaders > 1 || endpoints.size() > 1) {
            if (stretchStart < 0) {
                stretchStart = now;
                stretchReported = false;
            }
            long counted = counted(stretchStart, now);
            longestStretchMs = Math.max(longestStretchMs, counted);
            if (counted > windowMs && !stretchReported) {
                stretchReported = true;
                violations.add(String.format("more than one leader for %d ms (window %d ms): %d pods leader=yes,"
                        + " endpoints %s", counted, windowMs, leaders, endpoints));
            }
        } else {
            stretchStart = -1;
        }
    }

    /** Milliseconds of [from, to] outside every API outage. */
    private long counted(long from, long to) {
        long covered = 0;
        for (long[] outage : outages) {
            covered += Math.max(0, Math.min(to, outage[1]) - Math.max(from, outage[0]));
        }
        return Math.max(0, to - from - covered);
    }

    synchronized long samples() {
        return samples;
    }

    synchronized long samplingErrors() {
        return samplingErrors;
    }

    synchronized long longestStretchMs() {
        return longestStretchMs;
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
