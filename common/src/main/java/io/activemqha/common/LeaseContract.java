package io.activemqha.common;

import java.time.Duration;

/**
 * The interface between a broker's lease locker ({@code io.activemqha.locker.LeaseLocker}, in the broker's JVM) and
 * its pod's labeler, which holds the group's Kubernetes Lease for it: the broker has no API token, so it asks the
 * labeler over the pod's loopback interface, on the labeler's health port.
 *
 * <p>{@code POST} {@link #PATH} acquires or renews the Lease for this pod. The answer is a status and headers only
 * (the locker parses no JSON):
 * <ul>
 *   <li>{@link #HELD} (200): this pod holds the Lease, renewed by this request. {@link #HEADER_DURATION_MS} gives the
 *       Lease's duration; {@link #HEADER_TAKEN_OVER} is {@code true} when this request took the Lease from another
 *       holder (whose broker may still be stopping);</li>
 *   <li>{@link #HELD_ELSEWHERE} (409): another pod holds it; {@link #HEADER_HOLDER} names it;</li>
 *   <li>{@link #UNKNOWN} (503): the labeler cannot tell (the API server is unreachable, or it has not read the Lease
 *       yet). The locker treats this as no renewal.</li>
 * </ul>
 * {@code DELETE} {@link #PATH} releases the Lease if this pod holds it (204). Requests not from a loopback address
 * are refused with 403.
 */
public final class LeaseContract {
    /** Where the labeler serves the lease endpoint, on {@link LabelerContract#ENV_HEALTH_PORT}. */
    public static final String PATH = "/lease";
    public static final int HELD = 200;
    public static final int RELEASED = 204;
    public static final int FORBIDDEN = 403;
    public static final int HELD_ELSEWHERE = 409;
    public static final int UNKNOWN = 503;
    public static final String HEADER_DURATION_MS = "Activemq-Ha-Lease-Duration-Ms";
    public static final String HEADER_TAKEN_OVER = "Activemq-Ha-Lease-Taken-Over";
    public static final String HEADER_HOLDER = "Activemq-Ha-Lease-Holder";

    /** The group's Lease is {@code activemq-ha-<group>} in the pods' namespace; the labeler may write no other. */
    public static final String LEASE_NAME_PREFIX = "activemq-ha-";

    /** The locker's endpoint, as the webhook sets it in the broker container's environment. */
    public static final String ENV_LEASE_URL = "ACTIVEMQ_HA_LEASE_URL";
    public static final String DEFAULT_LEASE_URL = leaseUrl(LabelerContract.DEFAULT_HEALTH_PORT);

    /** Values of the {@link Annotations#LOCKER} annotation. */
    public static final String LOCKER_SHARED_FILE = "shared-file";
    public static final String LOCKER_LEASE = "lease";

    /**
     * The labeler's lease mode: set (by the webhook, to the pod's HA group) the labeler serves {@link #PATH}, holds
     * {@link #leaseName(String) the group's Lease} for its broker and labels the pod {@code leader=yes} only while it
     * holds it; unset, the labeler follows the broker alone (the shared-file locker).
     */
    public static final String ENV_LEASE_GROUP = "LEASE_GROUP";
    /** The Lease duration the labeler writes, whole seconds such as {@code 10s} ({@link #parseDuration}). */
    public static final String ENV_LEASE_DURATION = "LEASE_DURATION";
    public static final String DEFAULT_LEASE_DURATION = "10s";
    public static final Duration MIN_LEASE_DURATION = Duration.ofSeconds(3);
    public static final Duration MAX_LEASE_DURATION = Duration.ofSeconds(300);

    /** Where the labeler image ships the locker jar. */
    public static final String LOCKER_JAR = "/app/activemq-ha-lease-locker.jar";
    /**
     * Where the broker containers get the locker jar by default: an extension directory that ActiveMQ Classic's
     * launcher ({@code bin/activemq}, class {@code org.apache.activemq.console.Main}) puts on the broker's class path,
     * in the official image's {@code ACTIVEMQ_HOME}.
     */
    public static final String DEFAULT_LOCKER_LIB_DIR = "/opt/apache-activemq/lib/extra";
    /** The emptyDir volume that carries the jar from the installing init container to the broker containers. */
    public static final String LOCKER_VOLUME_NAME = "activemq-ha-lease-locker";
    /** The init container (labeler image) that copies the jar into the volume. */
    public static final String LOCKER_INSTALL_CONTAINER_NAME = "activemq-ha-lease-locker-install";
    /** The labeler image's launcher, which runs the labeler or, with {@link #LOCKER_INSTALL_ARGUMENT}, installs the jar. */
    public static final String LABELER_LAUNCHER = "/app/labeler";
    /** The labeler launcher's argument that copies {@link #LOCKER_JAR} into the directory that follows it. */
    public static final String LOCKER_INSTALL_ARGUMENT = "--install-lease-locker";

    private LeaseContract() {
    }

    /** The locker's endpoint for a labeler serving on {@code healthPort}. */
    public static String leaseUrl(int healthPort) {
        return "http://127.0.0.1:" + healthPort + PATH;
    }

    /**
     * Parses a Lease duration: whole seconds ({@code spec.leaseDurationSeconds}), written {@code 10s}, from
     * {@link #MIN_LEASE_DURATION} to {@link #MAX_LEASE_DURATION}.
     *
     * @throws IllegalArgumentException saying what is allowed
     */
    public static Duration parseDuration(String text) {
        String t = text == null ? "" : text.trim();
        if (!t.matches("\\d{1,4}s")) {
            throw new IllegalArgumentException("expected whole seconds such as " + DEFAULT_LEASE_DURATION + " (from "
                    + MIN_LEASE_DURATION.toSeconds() + "s to " + MAX_LEASE_DURATION.toSeconds() + "s), got '" + text + "'");
        }
        Duration d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        if (d.compareTo(MIN_LEASE_DURATION) < 0 || d.compareTo(MAX_LEASE_DURATION) > 0) {
            throw new IllegalArgumentException("must be from " + MIN_LEASE_DURATION.toSeconds() + "s to "
                    + MAX_LEASE_DURATION.toSeconds() + "s, got '" + text + "'");
        }
        return d;
    }

    /** The Lease of HA group {@code group} (the pods' {@link Labels#GROUP} label). */
    public static String leaseName(String group) {
        return LEASE_NAME_PREFIX + group;
    }
}
