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
import io.activemqha.labeler.probe.ConnectCheck;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.lease.KubeLeaseStore;
import io.activemqha.labeler.lease.LeaseEndpoint;
import io.activemqha.labeler.lease.LeaseGate;
import io.activemqha.labeler.lease.LeaseKeeper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running labeler: wires the probe, the monitor, the label loop and the health endpoint, and stops them in order. */
public final class Labeler {
    private static final Logger LOG = LoggerFactory.getLogger(Labeler.class);
    private static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    /** How often lease mode re-checks the Lease for the label: well within any Lease duration (3 s at least). */
    private static final long LEASE_RECHECK_MILLIS = 200;

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
        Consumer<BrokerActivity> labelRule = reconciler::desire;
        if (config.leaseMode()) {
            labelRule = holdLease(config, client, health, loop, labelRule);
        }
        ActivityMonitor monitor = new ActivityMonitor(probe, config.probeInterval(),
                ConnectCheck.forUrl(config.brokerUrl(), config.handshakeTimeout()), config.connectInterval(), labelRule,
                heartbeats.register("activity-monitor"), System::nanoTime);
        // Probing first: the reconciler's start lists the own pod synchronously (TLS, JSON set-up) meanwhile.
        monitor.start();
        reconciler.start();
        LOG.info("labeling pod {} from {} (connect check every {} while refused, probe every {}, handshake timeout {});"
                + " health on port {}", self, config.brokerUrl(), Durations.format(config.connectInterval()),
                Durations.format(config.probeInterval()), Durations.format(config.handshakeTimeout()), health.port());
        return new Labeler(config, client, loop, events, reconciler, monitor, health);
    }

    /**
     * Lease mode: serves the broker's lease locker and gates the label on the Lease. Nothing renews in the background:
     * the broker's own requests do, so a broker that stops asking loses the Lease. On a clean stop the broker's locker
     * releases it; for a killed one the {@link LeaseGate} does, after a grace.
     */
    private static Consumer<BrokerActivity> holdLease(LabelerConfig config, KubernetesClient client, HealthServer health,
                                                      ScheduledExecutorService loop, Consumer<BrokerActivity> label) {
        LabelerConfig.LeaseSettings lease = config.lease();
        LeaseKeeper keeper = new LeaseKeeper(new KubeLeaseStore(client, config.namespace()), lease.leaseName(),
                config.podName(), lease.duration(), System::nanoTime, Clock.systemUTC());
        health.serveLease(new LeaseEndpoint(keeper));
        LeaseGate gate = new LeaseGate(keeper, lease.releaseGrace(), lease.leaseName(), label, System::nanoTime);
        loop.scheduleWithFixedDelay(gate::recheck, LEASE_RECHECK_MILLIS, LEASE_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("lease mode: holding Lease {} ({}) for the broker's lease locker at {}", lease.leaseName(),
                Durations.format(lease.duration()), LeaseContract.PATH);
        return gate;
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
