package io.activemqha.webhook.rbac;

import io.vertx.core.Future;

/** Makes sure a namespace has the labeler's ServiceAccount and RoleBinding before a pod that uses them is admitted. */
public interface RbacProvisioner {
    /**
     * Completes when {@code serviceAccount} and its RoleBinding exist in {@code namespace}; fails with an
     * {@link RbacProvisioningException} carrying the API server's error.
     */
    Future<Void> ensure(String namespace, String serviceAccount);

    /** For {@code --provision-rbac=false}: the cluster administrator provisions the accounts. */
    static RbacProvisioner disabled() {
        return (namespace, serviceAccount) -> Future.succeededFuture();
    }
}
