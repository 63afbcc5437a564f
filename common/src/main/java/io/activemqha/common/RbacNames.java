package io.activemqha.common;

/** Names of the RBAC objects that the webhook provisions and deploy/ installs. */
public final class RbacNames {
    /** Default ServiceAccount of annotated pods, provisioned per namespace. */
    public static final String LABELER_SERVICE_ACCOUNT = "activemq-leader-labeler";
    /** ClusterRole installed by deploy/install, bound per namespace. */
    public static final String LABELER_CLUSTER_ROLE = "activemq-leader-labeler";
    /** RoleBinding provisioned per namespace. */
    public static final String LABELER_ROLE_BINDING = "activemq-leader-labeler";

    private RbacNames() {
    }
}
