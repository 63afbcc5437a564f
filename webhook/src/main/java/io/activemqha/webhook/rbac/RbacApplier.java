package io.activemqha.webhook.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;

/**
 * Applies {@link LabelerRbac}'s objects to a namespace with server-side apply (blocking I/O; call it off the
 * event loop). Apply is idempotent, so repeated or concurrent calls converge on the same objects; it is an HTTP
 * PATCH, the only verb it uses (see {@code RbacRules.WEBHOOK}).
 */
public final class RbacApplier {
    private final KubernetesClient client;

    public RbacApplier(KubernetesClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Ensures the ServiceAccount {@code serviceAccount} and its RoleBinding exist in {@code namespace}.
     *
     * @throws RbacProvisioningException naming the object and carrying the API server's status code and message
     */
    public void apply(String namespace, String serviceAccount) {
        ServiceAccount account = LabelerRbac.serviceAccount(namespace, serviceAccount);
        try {
            client.serviceAccounts().inNamespace(namespace).resource(account)
                    .fieldManager(LabelerRbac.FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw failure(account, e);
        }
        RoleBinding binding = LabelerRbac.roleBinding(namespace, serviceAccount);
        try {
            client.rbac().roleBindings().inNamespace(namespace).resource(binding)
                    .fieldManager(LabelerRbac.FIELD_MANAGER).forceConflicts().serverSideApply();
        } catch (KubernetesClientException e) {
            throw failure(binding, e);
        }
    }

    private RbacProvisioningException failure(HasMetadata object, KubernetesClientException e) {
        // Without an API answer (connection refused, timeout) the server's address is the useful part.
        String where = e.getStatus() == null || e.getStatus().getMessage() == null ? " at " + client.getMasterUrl() : "";
        return new RbacProvisioningException("cannot apply " + object.getKind() + " "
                + object.getMetadata().getNamespace() + "/" + object.getMetadata().getName() + where + ": "
                + apiError(e), e);
    }

    /** The API server's own words (code, reason, message) rather than the client's multi-line dump. */
    static String apiError(KubernetesClientException e) {
        Status status = e.getStatus();
        if (status != null && status.getMessage() != null && !status.getMessage().isBlank()) {
            String reason = status.getReason() == null || status.getReason().isBlank() ? "" : " " + status.getReason();
            return "HTTP " + e.getCode() + reason + ": " + status.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root == e ? e.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + detail;
    }
}
