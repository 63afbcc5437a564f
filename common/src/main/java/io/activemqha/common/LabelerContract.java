package io.activemqha.common;

/**
 * The interface between the injected {@code leader-labeler} container and the labeler process:
 * the container name, the environment the webhook sets and the labeler reads, and their defaults.
 */
public final class LabelerContract {
    /** Name of the injected container; at most one per pod. */
    public static final String CONTAINER_NAME = "leader-labeler";

    /** Downward API {@code metadata.name}. */
    public static final String ENV_POD_NAME = "POD_NAME";
    /** Downward API {@code metadata.namespace}. */
    public static final String ENV_POD_NAMESPACE = "POD_NAMESPACE";
    /** The local broker's OpenWire URL to probe. */
    public static final String ENV_BROKER_URL = "BROKER_URL";
    /** Port of the labeler's HTTP liveness/metrics endpoint. */
    public static final String ENV_HEALTH_PORT = "HEALTH_PORT";

    public static final String DEFAULT_BROKER_URL = "tcp://localhost:61616";
    public static final int DEFAULT_HEALTH_PORT = 8099;
    /** Liveness path served on the health port. */
    public static final String HEALTH_PATH = "/healthz";
    /** Prometheus metrics path served on the health port. */
    public static final String METRICS_PATH = "/metrics";

    /** Where the labeler's projected token lands: the standard path, so in-cluster client config finds it. */
    public static final String TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    /** Name of the projected token volume mounted only into the labeler. */
    public static final String TOKEN_VOLUME_NAME = "activemq-ha-labeler-token";

    /**
     * Numeric non-root user the injected container runs as (the distroless "nonroot" uid). Set explicitly so the
     * kubelet can verify runAsNonRoot whatever USER the labeler image declares.
     */
    public static final long RUN_AS_USER = 65532L;

    private LabelerContract() {
    }
}
