package io.activemqha.common;

import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes API permissions each component's code uses, by resource, so that the ClusterRoles in
 * deploy/ can be checked to grant exactly these and the code's tests can check it asks for no more.
 */
public final class RbacRules {
    /**
     * The labeler: read and label pods of its namespace, record events; hold its group's Lease for the lease locker
     * (read, create, conditional update; coordination.k8s.io, see {@link #LABELER_API_GROUPS}); and delete the pod of
     * the previous holder after taking the Lease over (fencing, with a grace period and a UID precondition, as the
     * install's ValidatingAdmissionPolicy {@code activemq-leader-labeler-pod-deletes} requires).
     */
    public static final Map<String, Set<String>> LABELER = Map.of(
            "pods", Set.of("get", "list", "watch", "patch", "delete"),
            "events", Set.of("create"),
            "leases", Set.of("get", "create", "update"));

    /** The API group of each resource in {@link #LABELER}. */
    public static final Map<String, String> LABELER_API_GROUPS = Map.of(
            "pods", "",
            "events", "",
            "leases", "coordination.k8s.io");

    /** The webhook: provision the labeler's ServiceAccount and RoleBinding (server-side apply is a patch). */
    public static final Map<String, Set<String>> WEBHOOK = Map.of(
            "serviceaccounts", Set.of("get", "create", "patch"),
            "rolebindings", Set.of("get", "create", "patch"));

    /** The webhook may bind only the labeler ClusterRole. */
    public static final String WEBHOOK_BIND_VERB = "bind";

    /**
     * The certs tool ({@code create --secret}, {@code patch}): read and write its two Secrets (in its namespace) and
     * replace the caBundle of the webhook configurations (optimistic locking through resourceVersion: update, not patch).
     */
    public static final Map<String, Set<String>> CERTS = Map.of(
            "secrets", Set.of("get", "create", "update"),
            "mutatingwebhookconfigurations", Set.of("get", "update"),
            "validatingwebhookconfigurations", Set.of("get", "update"));

    private RbacRules() {
    }
}
