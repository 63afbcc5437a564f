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
 *       Lease's duration; {@link #HEADER_TAKEN_OVER} is {@code true} while the Lease was taken from another holder
 *       that is not yet known to have stopped (its kubelet has not confirmed its pod's end, and one Lease duration
 *       has not passed since the takeover): the locker must not open the store yet;</li>
 *   <li>{@link #HELD_ELSEWHERE} (409): another pod holds it; {@link #HEADER_HOLDER} names it;</li>
 *   <li>{@link #UNKNOWN} (503): the labeler cannot tell (the API server is unreachable, or it has not read the Lease
 *       yet). The locker treats this as no renewal.</li>
 * </ul>
 * {@code DELETE} {@link #PATH} releases the Lease if this pod holds it (204). Every request carries
 * {@link #HEADER_SESSION}, which names the broker process asking. The endpoint listens on the pod's loopback
 * interface only, on {@link #leasePort(int)}; requests not from a loopback address are refused with 403.
 */
public final class LeaseContract {
    /** Where the labeler serves the lease endpoint, on {@link #leasePort} of the loopback interface. */
    public static final String PATH = "/lease";
    public static final int HELD = 200;
    public static final int RELEASED = 204;
    public static final int FORBIDDEN = 403;
    public static final int HELD_ELSEWHERE = 409;
    public static final int UNKNOWN = 503;
    public static final String HEADER_DURATION_MS = "Activemq-Ha-Lease-Duration-Ms";
    public static final String HEADER_TAKEN_OVER = "Activemq-Ha-Lease-Taken-Over";
    public static final String HEADER_HOLDER = "Activemq-Ha-Lease-Holder";
    /**
     * Sent by the locker on every request: an id drawn at random when the locker starts, so the labeler can tell a
     * renewal by the broker process it granted the Lease to from a request by a new one (a restarted container).
     */
    public static final String HEADER_SESSION = "Activemq-Ha-Lease-Session";
    /** In a {@link #HELD} answer: {@code <namespace>/<Lease name>}, what the locker records in the store it guards. */
    public static final String HEADER_LEASE_NAME = "Activemq-Ha-Lease-Name";

    /** The group's Lease is {@code activemq-ha-<group>} in the pods' namespace; the labeler may write no other. */
    public static final String LEASE_NAME_PREFIX = "activemq-ha-";
    /** Between pod name and UID in a {@link #holderIdentity}: never part of a pod name. */
    public static final String HOLDER_SEPARATOR = "_";

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

    /** The locker's endpoint for a labeler whose health port is {@code healthPort}: loopback, {@link #leasePort}. */
    public static String leaseUrl(int healthPort) {
        return "http://127.0.0.1:" + leasePort(healthPort) + PATH;
    }

    /**
     * The port of the lease endpoint: the one after the health port, bound to the loopback interface only, so that
     * nothing outside the pod can reach it and no connection to the health port can hold it up.
     */
    public static int leasePort(int healthPort) {
        return healthPort + 1;
    }

    /**
     * The Lease's {@code holderIdentity} for a pod: its name and its UID, so that a pod recreated under the same name
     * (a StatefulSet's) is a new holder that must wait like any other.
     */
    public static String holderIdentity(String podName, String podUid) {
        return podName + HOLDER_SEPARATOR + podUid;
    }

    /** The pod name in a {@link #holderIdentity}; the whole text when it has no UID. */
    public static String podNameOf(String holder) {
        int at = holder.indexOf(HOLDER_SEPARATOR);
        return at < 0 ? holder : holder.substring(0, at);
    }

    /** The pod UID in a {@link #holderIdentity}; empty when it has none. */
    public static String podUidOf(String holder) {
        int at = holder.indexOf(HOLDER_SEPARATOR);
        return at < 0 ? "" : holder.substring(at + 1);
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
