package io.activemqha.labeler;

import io.activemqha.labeler.health.HealthServer;
import io.activemqha.labeler.health.LabelerMetrics;
import io.activemqha.labeler.health.LoopHeartbeats;
import io.activemqha.labeler.http.LeaseServer;
import io.activemqha.labeler.kube.Backoff;
import io.activemqha.labeler.kube.Fencer;
import io.activemqha.labeler.kube.OwnPods;
import io.activemqha.labeler.kube.PodFencer;
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
    private final LeaseServer leaseServer;

    private Labeler(LabelerConfig config, KubernetesClient client, ScheduledExecutorService loop, PodEventRecorder events,
                    PodLabelReconciler reconciler, ActivityMonitor monitor, HealthServer health, LeaseServer leaseServer) {
        this.config = config;
        this.client = client;
        this.loop = loop;
        this.events = events;
        this.reconciler = reconciler;
        this.monitor = monitor;
        this.health = health;
        this.leaseServer = leaseServer;
    }

    /**
     * Starts everything; returns once the health endpoint is bound and the loops run.
     *
     * @throws IOException when the health endpoint, or in lease mode the lease endpoint, cannot be bound
     */
    public static Labeler start(LabelerConfig config, KubernetesClient client, BrokerProbe probe, InetSocketAddress healthAddress)
            throws IOException {
        PodRef self = new PodRef(config.namespace(), config.podName());
        LabelerMetrics metrics = new LabelerMetrics();
        LoopHeartbeats heartbeats = new LoopHeartbeats(System::nanoTime);
        HealthServer health = HealthServer.start(healthAddress, heartbeats, config.livenessTimeout(), metrics);
        LeaseServer leaseServer;
        try {
            leaseServer = config.leaseMode() ? LeaseServer.bind(LeaseContract.leasePort(config.healthPort())) : null;
        } catch (IOException e) {
            health.close();
            throw e;
        }
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pod-label-loop"));
        PodEventRecorder events = new PodEventRecorder(client, self);
        OwnPods ownPod = new OwnPods();
        PodLabelReconciler reconciler = new PodLabelReconciler(client, self, new Fencer(client, self, events, metrics), events,
                metrics, new Backoff(BACKOFF_BASE, config.backoffMax(), () -> ThreadLocalRandom.current().nextDouble()),
                loop, heartbeats.register("pod-label-loop"), config.resyncInterval(), System::nanoTime, ownPod);
        Consumer<BrokerActivity> labelRule = reconciler::desire;
        if (config.leaseMode()) {
            labelRule = holdLease(config, client, leaseServer, loop, ownPod, labelRule);
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
        return new Labeler(config, client, loop, events, reconciler, monitor, health, leaseServer);
    }

    /**
     * Lease mode: serves the broker's lease locker and gates the label on the Lease. Nothing renews in the background:
     * the broker's own requests do, so a broker that stops asking loses the Lease. On a clean stop the broker's locker
     * releases it; for a killed one the {@link LeaseGate} does once the kubelet reports its container ended. After a
     * takeover the previous holder's pod is deleted and its end awaited ({@link PodFencer}).
     */
    private static Consumer<BrokerActivity> holdLease(LabelerConfig config, KubernetesClient client, LeaseServer leaseServer,
                                                      ScheduledExecutorService loop, OwnPods ownPod,
                                                      Consumer<BrokerActivity> label) {
        LabelerConfig.LeaseSettings lease = config.lease();
        LeaseKeeper keeper = new LeaseKeeper(new KubeLeaseStore(client, config.namespace()), lease.leaseName(),
                config.podName(), ownPod, new PodFencer(client, config.namespace(),
                Executors.newSingleThreadExecutor(DaemonThreads.named("lease-fence"))), lease.duration(),
                System::nanoTime, Clock.systemUTC());
        leaseServer.serve(new LeaseEndpoint(keeper, config.namespace() + "/" + lease.leaseName()));
        LeaseGate gate = new LeaseGate(keeper, lease.leaseName(), label, System::nanoTime);
        loop.scheduleWithFixedDelay(gate::recheck, LEASE_RECHECK_MILLIS, LEASE_RECHECK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("lease mode: holding Lease {} ({}) for the broker's lease locker at {}", lease.leaseName(),
                Durations.format(lease.duration()), LeaseContract.leaseUrl(config.healthPort()));
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
        if (leaseServer != null) {
            leaseServer.close();
        }
        client.close();
        LOG.info("stopped in {} ms (pod demoted: {})", (System.nanoTime() - start) / 1_000_000, demoted);
        return demoted;
    }

    private static Duration remaining(Duration budget, long startNanos) {
        long left = budget.toNanos() - (System.nanoTime() - startNanos);
        return Duration.ofNanos(Math.max(left, 1_000_000));
    }
}
