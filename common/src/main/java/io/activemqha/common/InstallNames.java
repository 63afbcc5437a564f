package io.activemqha.common;

import java.util.List;

/**
 * Names of the objects {@code deploy/install} creates, for tools and tests that address them (the manifests are the
 * source of truth; these constants must follow them).
 */
public final class InstallNames {
    /** Namespace of the webhook, its Service, Secrets and the certs Job. */
    public static final String NAMESPACE = "activemq-ha";
    /** The MutatingWebhookConfiguration, and the webhook's Service and Deployment. */
    public static final String WEBHOOK = "activemq-ha-webhook";
    /** The one webhook entry of the MutatingWebhookConfiguration. */
    public static final String WEBHOOK_ENTRY = "leader-labeler.activemq-ha.io";
    /** Path the API server posts AdmissionReviews to. */
    public static final String WEBHOOK_PATH = "/mutate";
    /** ServiceAccount the webhook runs as. */
    public static final String WEBHOOK_SERVICE_ACCOUNT = "activemq-ha-webhook";
    /** kubernetes.io/tls Secret the webhook mounts (the CA key lives in this name plus {@link CertificateFiles#CA_SECRET_SUFFIX}). */
    public static final String WEBHOOK_TLS_SECRET = "activemq-ha-webhook-tls";
    /** ServiceAccount the certs Job and CronJob run as. */
    public static final String CERTS_SERVICE_ACCOUNT = "activemq-ha-certs";
    /** ValidatingAdmissionPolicy (and its binding) that limits the leader-labeler to flipping the leader label. */
    public static final String LABELER_POLICY = "activemq-leader-labeler-pods";
    /**
     * ValidatingAdmissionPolicy (and its binding) that limits the leader-labeler to holding, taking over and releasing
     * its group's Lease for its own pod.
     */
    public static final String LABELER_LEASE_POLICY = "activemq-leader-labeler-leases";
    /**
     * ValidatingAdmissionPolicy (and its binding) that limits the leader-labeler's pod deletes to fencing a peer of its
     * HA group: a grace period of at least one second and a UID precondition, never its own pod.
     */
    public static final String LABELER_POD_DELETE_POLICY = "activemq-leader-labeler-pod-deletes";
    /** Every ValidatingAdmissionPolicy of the install, each bound by a binding of the same name. */
    public static final List<String> LABELER_POLICIES = List.of(LABELER_POLICY, LABELER_LEASE_POLICY,
            LABELER_POD_DELETE_POLICY);

    private InstallNames() {
    }
}
