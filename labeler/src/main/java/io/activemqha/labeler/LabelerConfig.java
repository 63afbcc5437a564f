package io.activemqha.labeler;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The labeler's immutable configuration. It is resolved from one flat map of settings keyed by the
 * environment variable names (the webhook's contract, see {@link LabelerContract}) into which command-line
 * flags are merged on top, so env and flags share one validation with one set of error messages.
 *
 * @param podName          own pod, whose {@code leader} label this process owns
 * @param namespace        own pod's namespace
 * @param brokerUrl        local broker to probe: {@code tcp://}, {@code nio://} or {@code ssl://} (OpenWire) or {@code stomp://}
 * @param healthPort       port of the liveness and metrics endpoint
 * @param probeInterval    delay between full probes while the broker is not active but its port accepts connections
 * @param connectInterval  delay between bare TCP connect attempts while the broker's port refuses them (a standby):
 *                         the full probe runs as soon as one is accepted
 * @param handshakeTimeout bound on connect plus protocol handshake of one probe
 * @param inactivityTimeout OpenWire inactivity bound of the kept connection: catches a broker that hangs without closing
 * @param resyncInterval   period of the full re-check of the own pod (besides the watch)
 * @param backoffMax       cap of the retry back-off on API errors
 * @param shutdownTimeout  bound on the demotion performed on SIGTERM
 * @param livenessTimeout  a loop silent for longer than this makes the liveness endpoint fail
 * @param lease            lease mode's settings, or {@code null} when the broker uses the shared-file locker
 */
public record LabelerConfig(
        String podName,
        String namespace,
        URI brokerUrl,
        int healthPort,
        Duration probeInterval,
        Duration connectInterval,
        Duration handshakeTimeout,
        Duration inactivityTimeout,
        Duration resyncInterval,
        Duration backoffMax,
        Duration shutdownTimeout,
        Duration livenessTimeout,
        LeaseSettings lease) {

    /**
     * Lease mode: the labeler holds the group's Lease for its broker's lease locker and labels by it.
     *
     * @param group    the pod's HA group, whose Lease is {@link LeaseContract#leaseName(String)}
     * @param duration the Lease duration written
     */
    public record LeaseSettings(String group, Duration duration) {
        public String leaseName() {
            return LeaseContract.leaseName(group);
        }
    }

    /** Setting keys beyond the webhook contract (flags only, also accepted from the environment). */
    public static final String PROBE_INTERVAL = "PROBE_INTERVAL";
    public static final String CONNECT_INTERVAL = "CONNECT_INTERVAL";
    public static final String HANDSHAKE_TIMEOUT = "HANDSHAKE_TIMEOUT";
    public static final String INACTIVITY_TIMEOUT = "INACTIVITY_TIMEOUT";
    public static final String RESYNC_INTERVAL = "RESYNC_INTERVAL";
    public static final String BACKOFF_MAX = "BACKOFF_MAX";
    public static final String SHUTDOWN_TIMEOUT = "SHUTDOWN_TIMEOUT";
    public static final String LIVENESS_TIMEOUT = "LIVENESS_TIMEOUT";

    /**
     * Floor of {@link #CONNECT_INTERVAL}: a refused loopback connect costs microseconds, but a shorter period would
     * make the standby's labeler spin for no measurable gain.
     */
    public static final Duration MIN_CONNECT_INTERVAL = Duration.ofMillis(5);

    /** Defaults of the settings that have one. */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(LabelerContract.ENV_BROKER_URL, LabelerContract.DEFAULT_BROKER_URL),
            Map.entry(LabelerContract.ENV_HEALTH_PORT, Integer.toString(LabelerContract.DEFAULT_HEALTH_PORT)),
            Map.entry(PROBE_INTERVAL, "250ms"),
            Map.entry(CONNECT_INTERVAL, "25ms"),
            Map.entry(HANDSHAKE_TIMEOUT, "1s"),
            Map.entry(INACTIVITY_TIMEOUT, "10s"),
            Map.entry(RESYNC_INTERVAL, "30s"),
            Map.entry(BACKOFF_MAX, "5s"),
            Map.entry(SHUTDOWN_TIMEOUT, "2s"),
            Map.entry(LIVENESS_TIMEOUT, "30s"));

    public LabelerConfig {
        requireText(LabelerContract.ENV_POD_NAME, podName);
        requireText(LabelerContract.ENV_POD_NAMESPACE, namespace);
        if (healthPort < 1 || healthPort > 65535) {
            throw new IllegalArgumentException(LabelerContract.ENV_HEALTH_PORT + ": expected a port number 1-65535, got " + healthPort);
        }
        if (lease != null && healthPort == 65535) {
            throw new IllegalArgumentException(LabelerContract.ENV_HEALTH_PORT + ": at most 65534 in lease mode (the lease"
                    + " endpoint listens on the next port, " + LeaseContract.ENV_LEASE_URL + " of the broker), got " + healthPort);
        }
        requirePositive(PROBE_INTERVAL, probeInterval);
        requirePositive(CONNECT_INTERVAL, connectInterval);
        requirePositive(HANDSHAKE_TIMEOUT, handshakeTimeout);
        requirePositive(INACTIVITY_TIMEOUT, inactivityTimeout);
        requirePositive(RESYNC_INTERVAL, resyncInterval);
        requirePositive(BACKOFF_MAX, backoffMax);
        requirePositive(SHUTDOWN_TIMEOUT, shutdownTimeout);
        requirePositive(LIVENESS_TIMEOUT, livenessTimeout);
        if (inactivityTimeout.compareTo(handshakeTimeout) <= 0) {
            throw new IllegalArgumentException(INACTIVITY_TIMEOUT + " (" + Durations.format(inactivityTimeout)
                    + ") must be longer than " + HANDSHAKE_TIMEOUT + " (" + Durations.format(handshakeTimeout) + ")");
        }
        if (connectInterval.compareTo(MIN_CONNECT_INTERVAL) < 0) {
            throw new IllegalArgumentException(CONNECT_INTERVAL + " (" + Durations.format(connectInterval)
                    + ") must be at least " + Durations.format(MIN_CONNECT_INTERVAL));
        }
        if (connectInterval.compareTo(probeInterval) > 0) {
            throw new IllegalArgumentException(CONNECT_INTERVAL + " (" + Durations.format(connectInterval)
                    + ") must not be longer than " + PROBE_INTERVAL + " (" + Durations.format(probeInterval) + ")");
        }
    }

    /**
     * Resolves the settings: {@code overrides} (from flags) win over {@code env}, which wins over {@link #DEFAULTS}.
     *
     * @throws IllegalArgumentException naming the setting, when one is missing or invalid
     */
    public static LabelerConfig resolve(Map<String, String> env, Map<String, String> overrides) {
        Settings s = new Settings(env, overrides);
        return new LabelerConfig(
                s.get(LabelerContract.ENV_POD_NAME).orElse(null),
                s.get(LabelerContract.ENV_POD_NAMESPACE).orElse(null),
                brokerUrl(s.required(LabelerContract.ENV_BROKER_URL)),
                port(s.required(LabelerContract.ENV_HEALTH_PORT)),
                s.duration(PROBE_INTERVAL),
                s.duration(CONNECT_INTERVAL),
                s.duration(HANDSHAKE_TIMEOUT),
                s.duration(INACTIVITY_TIMEOUT),
                s.duration(RESYNC_INTERVAL),
                s.duration(BACKOFF_MAX),
                s.duration(SHUTDOWN_TIMEOUT),
                s.duration(LIVENESS_TIMEOUT),
                lease(s));
    }

    private static LeaseSettings lease(Settings s) {
        Optional<String> group = s.get(LeaseContract.ENV_LEASE_GROUP);
        if (group.isEmpty()) {
            return null;
        }
        String text = s.get(LeaseContract.ENV_LEASE_DURATION).orElse(LeaseContract.DEFAULT_LEASE_DURATION);
        try {
            return new LeaseSettings(group.get().trim(), LeaseContract.parseDuration(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(LeaseContract.ENV_LEASE_DURATION + ": " + e.getMessage());
        }
    }

    /** Whether the broker uses the lease locker, so the labeler holds the Lease for it. */
    public boolean leaseMode() {
        return lease != null;
    }

    private static URI brokerUrl(String text) {
        String name = LabelerContract.ENV_BROKER_URL;
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + ": not a URL: '" + text + "' (" + e.getReason() + ")");
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException(name + ": expected scheme://host:port such as "
                    + LabelerContract.DEFAULT_BROKER_URL + ", got '" + text + "'");
        }
        if (!ProbeProtocol.isSupported(uri.getScheme())) {
            throw new IllegalArgumentException(name + ": unsupported scheme '" + uri.getScheme() + "', expected one of "
                    + ProbeProtocol.SCHEMES + " (failover: and other composite URLs are refused: the probe must see this one broker)");
        }
        return uri;
    }

    private static int port(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(LabelerContract.ENV_HEALTH_PORT + ": expected a port number 1-65535, got '" + text + "'");
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required (the webhook sets it from the downward API)");
        }
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + ": must be a positive duration, got " + d);
        }
    }

    private record Settings(Map<String, String> env, Map<String, String> overrides) {
        Optional<String> get(String key) {
            String v = overrides.get(key);
            if (v == null || v.isBlank()) {
                v = env.get(key);
            }
            if (v == null || v.isBlank()) {
                v = DEFAULTS.get(key);
            }
            return Optional.ofNullable(v).filter(x -> !x.isBlank());
        }

        String required(String key) {
            return get(key).orElseThrow(() -> new IllegalArgumentException(key + " is required"));
        }

        Duration duration(String key) {
            return Durations.parse(key, required(key));
        }
    }
}
