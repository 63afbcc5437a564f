package io.activemqha.labeler;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.kube.KubeClients;
import io.activemqha.labeler.probe.BrokerProbes;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * Entry point of {@code activemq-ha-labeler.jar}: labels its own pod {@code leader=yes} exactly while the
 * local broker is the active one. Configured by the environment the webhook injects; every setting also has
 * a flag for local runs. SIGTERM (or SIGINT) demotes the pod, bounded, and exits 0.
 */
@Command(name = "activemq-ha-labeler", mixinStandardHelpOptions = true, versionProvider = LabelerMain.Version.class,
        description = "Labels its own pod leader=yes exactly while the local ActiveMQ broker is the active one.")
public final class LabelerMain implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Exit code for an invalid configuration. */
    static final int EXIT_CONFIG = 2;
    /** Exit code when the labeler cannot start (e.g. the health port is taken). */
    static final int EXIT_START = 1;

    @Option(names = "--pod-name", description = "Own pod name (env POD_NAME).")
    String podName;
    @Option(names = "--namespace", description = "Own pod namespace (env POD_NAMESPACE).")
    String namespace;
    @Option(names = "--broker-url", description = "Broker to probe: tcp/nio/ssl://host:port (OpenWire) or stomp://host:port (env BROKER_URL, default "
            + LabelerContract.DEFAULT_BROKER_URL + ").")
    String brokerUrl;
    @Option(names = "--health-port", description = "Liveness/metrics port (env HEALTH_PORT, default " + LabelerContract.DEFAULT_HEALTH_PORT + ").")
    String healthPort;
    @Option(names = "--health-address", defaultValue = "0.0.0.0", description = "Address the health endpoint binds (default ${DEFAULT-VALUE}).")
    String healthAddress;
    @Option(names = "--probe-interval", description = "Full re-probe interval while the broker is not active but its port "
            + "accepts connections (env PROBE_INTERVAL, default 250ms).")
    String probeInterval;
    @Option(names = "--connect-interval", description = "Interval of the bare TCP connect attempts while the broker's port "
            + "refuses them (a standby); the full probe follows the first accepted one at once (env CONNECT_INTERVAL, "
            + "default 25ms, 5ms to PROBE_INTERVAL).")
    String connectInterval;
    @Option(names = "--handshake-timeout", description = "Bound on connect + handshake of one probe (env HANDSHAKE_TIMEOUT, default 1s).")
    String handshakeTimeout;
    @Option(names = "--inactivity-timeout", description = "OpenWire inactivity bound of the kept connection (env INACTIVITY_TIMEOUT, default 10s).")
    String inactivityTimeout;
    @Option(names = "--resync", description = "Period of the full re-read of the own pod besides the watch (env RESYNC_INTERVAL, default 30s).")
    String resync;
    @Option(names = "--backoff-max", description = "Cap of the retry back-off on API errors (env BACKOFF_MAX, default 5s).")
    String backoffMax;
    @Option(names = "--shutdown-timeout", description = "Bound on the demotion at SIGTERM (env SHUTDOWN_TIMEOUT, default 2s).")
    String shutdownTimeout;
    @Option(names = "--liveness-timeout", description = "A loop silent this long fails the liveness check (env LIVENESS_TIMEOUT, default 30s).")
    String livenessTimeout;
    @Option(names = "--lease-group", description = "Lease mode: hold this HA group's Lease for the broker's lease locker and "
            + "label by it (env LEASE_GROUP; unset: shared-file locker).")
    String leaseGroup;
    @Option(names = "--lease-duration", description = "Lease duration in whole seconds (env LEASE_DURATION, default "
            + LeaseContract.DEFAULT_LEASE_DURATION + ").")
    String leaseDuration;
    @Option(names = "--exit-after", hidden = true,
            description = "Stop as on SIGTERM after this duration: the training run that builds the class-data sharing archive.")
    String exitAfter;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LabelerMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        LabelerConfig config;
        java.time.Duration runFor;
        try {
            config = LabelerConfig.resolve(System.getenv(), flags());
            runFor = exitAfter == null ? null : Durations.parse("--exit-after", exitAfter);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("activemq-ha-labeler: invalid configuration: " + e.getMessage());
            return EXIT_CONFIG;
        }
        CountDownLatch stop = new CountDownLatch(1);
        // Own signal handlers instead of a shutdown hook: the pod is demoted first, then the exit code is 0, not 143.
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());
        Labeler labeler;
        KubernetesClient client;
        try {
            client = KubeClients.standard();
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("activemq-ha-labeler: cannot configure the Kubernetes client: " + e.getMessage());
            return EXIT_START;
        }
        try {
            labeler = Labeler.start(config, client, BrokerProbes.forConfig(config),
                    new InetSocketAddress(healthAddress, config.healthPort()));
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("activemq-ha-labeler: cannot start: " + e.getMessage());
            client.close();
            return EXIT_START;
        }
        if (runFor != null) {
            stop.await(runFor.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } else {
            stop.await();
        }
        labeler.shutdown();
        return 0;
    }

    private Map<String, String> flags() {
        Map<String, String> flags = new HashMap<>();
        put(flags, LabelerContract.ENV_POD_NAME, podName);
        put(flags, LabelerContract.ENV_POD_NAMESPACE, namespace);
        put(flags, LabelerContract.ENV_BROKER_URL, brokerUrl);
        put(flags, LabelerContract.ENV_HEALTH_PORT, healthPort);
        put(flags, LabelerConfig.PROBE_INTERVAL, probeInterval);
        put(flags, LabelerConfig.CONNECT_INTERVAL, connectInterval);
        put(flags, LabelerConfig.HANDSHAKE_TIMEOUT, handshakeTimeout);
        put(flags, LabelerConfig.INACTIVITY_TIMEOUT, inactivityTimeout);
        put(flags, LabelerConfig.RESYNC_INTERVAL, resync);
        put(flags, LabelerConfig.BACKOFF_MAX, backoffMax);
        put(flags, LabelerConfig.SHUTDOWN_TIMEOUT, shutdownTimeout);
        put(flags, LabelerConfig.LIVENESS_TIMEOUT, livenessTimeout);
        put(flags, LeaseContract.ENV_LEASE_GROUP, leaseGroup);
        put(flags, LeaseContract.ENV_LEASE_DURATION, leaseDuration);
        return flags;
    }

    private static void put(Map<String, String> flags, String key, String value) {
        if (value != null) {
            flags.put(key, value);
        }
    }

    /** The jar's Implementation-Version. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = LabelerMain.class.getPackage().getImplementationVersion();
            return new String[] {v == null ? "dev" : v};
        }
    }
}
