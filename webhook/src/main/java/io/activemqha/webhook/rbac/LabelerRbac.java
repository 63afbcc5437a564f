package io.activemqha.webhook.rbac;

import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.util.Map;

/**
 * The desired state of the labeler's per-namespace RBAC objects: its ServiceAccount and a RoleBinding of that
 * account to the ClusterRole {@link RbacNames#LABELER_CLUSTER_ROLE} that deploy/ installs.
 */
public final class LabelerRbac {
    /** Field manager of every server-side apply, so that {@code managedFields} show who owns the fields. */
    public static final String FIELD_MANAGER = "activemq-ha-webhook";

    private static final Map<String, String> MANAGED = Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);

    private LabelerRbac() {
    }

    /** The ServiceAccount {@code name} in {@code namespace}, labeled as managed by activemq-ha. */
    public static ServiceAccount serviceAccount(String namespace, String name) {
        return new ServiceAccountBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(MANAGED).endMetadata()
                .build();
    }

    /** The RoleBinding {@link RbacNames#LABELER_ROLE_BINDING} of {@code serviceAccount} to the labeler ClusterRole. */
    public static RoleBinding roleBinding(String namespace, String serviceAccount) {
        return new RoleBindingBuilder()
                .withNewMetadata()
                .withNamespace(namespace).withName(RbacNames.LABELER_ROLE_BINDING).withLabels(MANAGED)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", RbacNames.LABELER_CLUSTER_ROLE)
                .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(namespace).endSubject()
                .build();
    }
}
