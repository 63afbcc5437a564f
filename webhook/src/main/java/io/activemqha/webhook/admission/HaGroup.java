package io.activemqha.webhook.admission;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;

/**
 * Derives the HA group of a pod without an {@code activemq-ha/group} annotation: the pods of one Deployment or
 * StatefulSet share one store, so the group is that workload's name.
 */
final class HaGroup {
    /** The label the Deployment controller puts on a ReplicaSet's pods, equal to the ReplicaSet's name suffix. */
    static final String POD_TEMPLATE_HASH = "pod-template-hash";

    private HaGroup() {
    }

    /**
     * The workload name given by the context, else the owning controller's name (a Deployment's ReplicaSet without its
     * {@code -<pod-template-hash>} suffix), else the pod's name, else its generateName without trailing dashes.
     */
    static Optional<String> derive(ObjectMeta metadata, InjectionContext context) {
        if (context.workloadName() != null && !context.workloadName().isEmpty()) {
            return Optional.of(context.workloadName());
        }
        Optional<OwnerReference> owner = controller(metadata.getOwnerReferences());
        if (owner.isPresent() && owner.get().getName() != null && !owner.get().getName().isEmpty()) {
            return Optional.of(ownerGroup(owner.get(), metadata.getLabels()));
        }
        if (metadata.getName() != null && !metadata.getName().isEmpty()) {
            return Optional.of(metadata.getName());
        }
        String generateName = metadata.getGenerateName() == null ? "" : metadata.getGenerateName().replaceAll("-+$", "");
        return generateName.isEmpty() ? Optional.empty() : Optional.of(generateName);
    }

    private static Optional<OwnerReference> controller(List<OwnerReference> owners) {
        if (owners == null || owners.isEmpty()) {
            return Optional.empty();
        }
        return owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().or(() -> Optional.of(owners.get(0)));
    }

    private static String ownerGroup(OwnerReference owner, Map<String, String> labels) {
        String name = owner.getName();
        if (!"ReplicaSet".equals(owner.getKind())) {
            return name;
        }
        // Only a Deployment's ReplicaSets carry the hash label; a bare ReplicaSet's own name is the group.
        String hash = labels == null ? null : labels.get(POD_TEMPLATE_HASH);
        if (hash != null && !hash.isEmpty() && name.endsWith("-" + hash) && name.length() > hash.length() + 1) {
            return name.substring(0, name.length() - hash.length() - 1);
        }
        return name;
    }
}
