package io.activemqha.common;

/**
 * Pod labels shared by the webhook (which sets them at admission), the labeler (which flips
 * {@link #LEADER}) and the Service in deploy/ (which selects {@link #LEADER}={@link #LEADER_YES}).
 */
public final class Labels {
    /** The routing label: the Service selects {@code leader=yes}. */
    public static final String LEADER = "leader";
    public static final String LEADER_YES = "yes";
    public static final String LEADER_NO = "no";

    /** Names the HA group: the pods that share one KahaDB store and so one lock. */
    public static final String GROUP = "activemq-ha/group";

    /** Marks objects the webhook provisions (ServiceAccount, RoleBinding). */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "activemq-ha";

    private Labels() {
    }

    /** The label value for a broker that is, or is not, the active one. */
    public static String leaderValue(boolean active) {
        return active ? LEADER_YES : LEADER_NO;
    }
}
