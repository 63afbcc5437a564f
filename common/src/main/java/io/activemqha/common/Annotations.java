package io.activemqha.common;

import java.util.List;

/**
 * Pod annotations: the opt-in switch, the injection marker and every per-pod override.
 * Each override has a documented default (README "Annotations"); the webhook rejects invalid values
 * naming the annotation.
 */
public final class Annotations {
    /** Opt-in: {@code "true"} injects, absent or {@code "false"} leaves the pod alone, anything else is denied. */
    public static final String ENABLED = "activemq-ha";

    /** Set by the injection to the injector version; a pod carrying it is never injected again. */
    public static final String INJECTED = "activemq-ha/injected";

    /** Overrides the HA group name (default: the owning Deployment/StatefulSet, else the pod name). */
    public static final String GROUP = "activemq-ha/group";

    /** Overrides the labeler image. */
    public static final String LABELER_IMAGE = "activemq-ha/labeler-image";
    /** Overrides the broker URL the labeler probes (default {@link LabelerContract#DEFAULT_BROKER_URL}). */
    public static final String BROKER_URL = "activemq-ha/broker-url";
    /** Overrides the labeler's health port (default {@link LabelerContract#DEFAULT_HEALTH_PORT}). */
    public static final String HEALTH_PORT = "activemq-ha/health-port";
    /** {@code "true"}: inject as a native sidecar (init container, restartPolicy Always); {@code "false"}: a regular container. */
    public static final String NATIVE_SIDECAR = "activemq-ha/native-sidecar";
    /** {@code "true"}: the broker containers keep an API token (opt-out of token isolation). */
    public static final String BROKER_API_ACCESS = "activemq-ha/broker-api-access";
    /**
     * Which locker decides the master: {@code shared-file} (default: KahaDB's file lock, nothing injected) or
     * {@code lease} (the group's Kubernetes Lease held through the labeler: the locker jar, its volume and env are
     * injected and the labeler runs in lease mode).
     */
    public static final String LOCKER = "activemq-ha/locker";
    /** With the lease locker: where the broker containers find the locker jar (default {@link LeaseContract#DEFAULT_LOCKER_LIB_DIR}). */
    public static final String LOCKER_LIB_DIR = "activemq-ha/locker-lib-dir";
    /** With the lease locker: the Lease duration (default {@link LeaseContract#DEFAULT_LEASE_DURATION}). */
    public static final String LEASE_DURATION = "activemq-ha/lease-duration";
    /** Labeler resource overrides, Kubernetes quantities. */
    public static final String LABELER_CPU_REQUEST = "activemq-ha/labeler-cpu-request";
    public static final String LABELER_CPU_LIMIT = "activemq-ha/labeler-cpu-limit";
    public static final String LABELER_MEMORY_REQUEST = "activemq-ha/labeler-memory-request";
    public static final String LABELER_MEMORY_LIMIT = "activemq-ha/labeler-memory-limit";

    /** Every override annotation, for documentation and validation tests. */
    public static final List<String> OVERRIDES = List.of(
            LABELER_IMAGE, BROKER_URL, HEALTH_PORT, NATIVE_SIDECAR, BROKER_API_ACCESS, LOCKER, LOCKER_LIB_DIR, LEASE_DURATION,
            LABELER_CPU_REQUEST, LABELER_CPU_LIMIT, LABELER_MEMORY_REQUEST, LABELER_MEMORY_LIMIT);

    private Annotations() {
    }
}
