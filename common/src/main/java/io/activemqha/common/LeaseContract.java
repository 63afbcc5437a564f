package io.activemqha.common;

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
    public static final String DEFAULT_LEASE_URL = "http://127.0.0.1:" + LabelerContract.DEFAULT_HEALTH_PORT + PATH;

    private LeaseContract() {
    }

    /** The Lease of HA group {@code group} (the pods' {@link Labels#GROUP} label). */
    public static String leaseName(String group) {
        return LEASE_NAME_PREFIX + group;
    }
}
