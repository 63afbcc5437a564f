package io.activemqha.labeler;

import io.activemqha.labeler.health.HealthServer;
import io.activemqha.labeler.health.LabelerMetrics;
import io.activemqha.labeler.health.LoopHeartbeats;
import io.activemqha.labeler.kube.Backoff;
import io.activemqha.labeler.kube.Fencer;
import io.activemqha.labeler.kube.PodEventRecorder;
import io.activemqha.labeler.kube.PodLabelReconciler;
import io.activemqha.labeler.kube.PodRef;
import io.activemqha.labeler.probe.BrokerProbe;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running labeler: wires the probe, the monitor, the label loop and the health endpoint, and stops them in order. */
public final class Labeler {
    private static final Logger LOG = LoggerFactory.getLogger(Labeler.class);
    private static final Duration BACKOFF_BASE = Duration.ofMillis(100);

    private final LabelerConfig config;
    private final KubernetesClient client;
    private final ScheduledExecutorService loop;
    private final PodEventRecorder events;
    private final PodLabelReconciler reconciler;
    private final ActivityMonitor monitor;
    private final HealthServer health;

    private Labeler(LabelerConfig config, KubernetesClient client, ScheduledExecutorService loop, PodEventRecorder events,
                    PodLabelReconciler reconciler, ActivityMonitor monitor, HealthServer health) {
        this.config = config;
        this.client = client;
        this.loop = loop;
        this.events = events;
        this.reconciler = reconciler;
        this.monitor = monitor;
        this.health = health;
    }

    /**
     * Starts everything; returns once the health endpoint is bound and the loops run.
     *
     * @throws IOException when the health endpoint cannot be bound
     */
    public static Labeler start(LabelerConfig config, KubernetesClient client, BrokerProbe probe, InetSocketAddress healthAddress)
            throws IOException {
        PodRef self = new PodRef(config.namespace(), config.podName());
        LabelerMetrics metrics = new LabelerMetrics();
        LoopHeartbeats heartbeats = new LoopHeartbeats(System::nanoTime);
        HealthServer health = HealthServer.start(healthAddress, heartbeats, config.livenessTimeout(), metrics);
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pod-label-loop");
            t.setDaemon(true);
            return t;
        });
        PodEventRecorder events = new PodEventRecorder(client, self);
        PodLabelReconciler reconciler = new PodLabelReconciler(client, self, new Fencer(client, self, events, metrics), events,
                metrics, new Backoff(BACKOFF_BASE, config.backoffMax(), () -> ThreadLocalRandom.current().nextDouble()),
                loop, heartbeats.register("pod-label-loop"), config.resyncInterval(), System::nanoTime);
        ActivityMonitor monitor = new ActivityMonitor(probe, config.probeInterval(), reconciler::desire,
                heartbeats.register("activity-monitor"), System::nanoTime);
        // Probing first: the reconciler's start lists the own pod synchronously (TLS, JSON set-up) meanwhile.
        monitor.start();
        reconciler.start();
        LOG.info("labeling pod {} from {} (probe every {}, handshake timeout {}); health on port {}", self,
                config.brokerUrl(), Durations.format(config.probeInterval()), Durations.format(config.handshakeTimeout()),
                health.port());
        return new Labeler(config, client, loop, events, reconciler, monitor, health);
    }

    /**
     * The SIGTERM path: stop probing, demote the own pod within the shutdown budget, then release
     * everything. Leaves the broker alone: its container has its own lifecycle.
     *
     * @return whether the demotion was confirmed by the API server
     */
    public boolean shutdown() {
        long start = System.nanoTime();
        Duration budget = config.shutdownTimeout();
        // Demotion first: it is what the Service needs; the monitor's thread is joined afterwards.
        monitor.stop();
        boolean demoted = reconciler.demoteAndStop(remaining(budget, start),
                new BrokerActivity(false, null, "labeler shutting down", start));
        events.drain(remaining(budget, start));
        monitor.close();
        reconciler.close();
        loop.shutdownNow();
        health.close();
        client.close();
        LOG.info("stopped in {} ms (pod demoted: {})", (System.nanoTime() - start) / 1_000_000, demoted);
        return demoted;
    }

    private static Duration remaining(Duration budget, long startNanos) {
        long left = budget.toNanos() - (System.nanoTime() - startNanos);
        return Duration.ofNanos(Math.max(left, 1_000_000));
    }
}
