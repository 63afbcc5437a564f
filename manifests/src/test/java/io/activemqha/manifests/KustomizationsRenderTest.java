package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.Namespaced;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * Every kustomization under deploy/ renders with kubectl, loads into the typed model without unknown fields and refers
 * only to objects it creates.
 */
class KustomizationsRenderTest {
    private final DeployTree tree = DeployTree.fromBuild();

    @TestFactory
    Stream<DynamicTest> everyKustomizationRendersIntoKnownKindsAndFields() {
        List<Path> kustomizations = tree.kustomizations();
        assertThat(kustomizations).as("kustomizations under deploy/").hasSizeGreaterThanOrEqualTo(5);
        return kustomizations.stream().map(dir -> DynamicTest.dynamicTest(
                tree.paths().root().relativize(dir).toString(), () -> {
                    Rendered rendered = tree.render(dir);
                    assertThat(rendered.objects()).as("objects rendered from %s", dir).isNotEmpty();
                    assertEveryNamespacedObjectHasANamespace(rendered);
                    assertNoDuplicates(rendered);
                    assertReferencesResolve(rendered);
                }));
    }

    @Test
    void everyComponentIsUsedByARenderedKustomization() {
        Set<Path> used = new HashSet<>();
        for (Path dir : tree.kustomizations()) {
            for (JsonNode component : tree.kustomizationOf(dir).path("components")) {
                used.add(dir.resolve(component.asString()).normalize());
            }
        }
        assertThat(tree.components()).as("components (each must be rendered through some kustomization)")
                .isNotEmpty()
                .allSatisfy(component -> assertThat(used).contains(component.normalize()));
    }

    private static void assertEveryNamespacedObjectHasANamespace(Rendered rendered) {
        List<String> missing = new ArrayList<>();
        for (HasMetadata object : rendered.objects()) {
            if (object instanceof Namespaced && object.getMetadata().getNamespace() == null) {
                missing.add(object.getKind() + "/" + object.getMetadata().getName());
            }
        }
        rendered.issuers().stream().filter(i -> i.metadata().namespace() == null)
                .forEach(i -> missing.add("Issuer/" + i.metadata().name()));
        rendered.certificates().stream().filter(c -> c.metadata().namespace() == null)
                .forEach(c -> missing.add("Certificate/" + c.metadata().name()));
        rendered.prometheusRules().stream().filter(r -> r.metadata().namespace() == null)
                .forEach(r -> missing.add("PrometheusRule/" + r.metadata().name()));
        rendered.podMonitors().stream().filter(m -> m.metadata().namespace() == null)
                .forEach(m -> missing.add("PodMonitor/" + m.metadata().name()));
        assertThat(missing).as("namespaced objects without a namespace in %s (kubectl apply would put them into "
                + "whatever namespace the user's context has)", rendered.source()).isEmpty();
    }

    /**
     * What the pods and bindings of a render refer to is in the same render: ServiceAccounts, ConfigMaps (kustomize
     * renames generated ones), claims, roles. Secrets are written at run time (by the certs Job or cert-manager).
     */
    private static void assertReferencesResolve(Rendered rendered) {
        List<String> dangling = new ArrayList<>();
        Workloads.podSpecs(rendered).forEach((workload, spec) -> {
            String namespace = namespaceOf(rendered, workload);
            if (spec.getServiceAccountName() != null && !exists(rendered, ServiceAccount.class, namespace, spec.getServiceAccountName())) {
                dangling.add(workload + " -> ServiceAccount " + spec.getServiceAccountName());
            }
            for (Volume volume : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
                if (volume.getConfigMap() != null && !exists(rendered, ConfigMap.class, namespace, volume.getConfigMap().getName())) {
                    dangling.add(workload + " -> ConfigMap " + volume.getConfigMap().getName());
                }
                if (volume.getPersistentVolumeClaim() != null && !exists(rendered, PersistentVolumeClaim.class, namespace,
                        volume.getPersistentVolumeClaim().getClaimName())) {
                    dangling.add(workload + " -> PersistentVolumeClaim " + volume.getPersistentVolumeClaim().getClaimName());
                }
            }
        });
        for (RoleBinding binding : rendered.all(RoleBinding.class)) {
            RoleRef ref = binding.getRoleRef();
            boolean found = ref.getKind().equals("Role")
                    ? exists(rendered, Role.class, binding.getMetadata().getNamespace(), ref.getName())
                    : rendered.find(ClusterRole.class, ref.getName()).isPresent() || isInstalledElsewhere(ref.getName());
            if (!found) {
                dangling.add("RoleBinding/" + binding.getMetadata().getName() + " -> " + ref.getKind() + " " + ref.getName());
            }
        }
        for (ClusterRoleBinding binding : rendered.all(ClusterRoleBinding.class)) {
            if (rendered.find(ClusterRole.class, binding.getRoleRef().getName()).isEmpty()) {
                dangling.add("ClusterRoleBinding/" + binding.getMetadata().getName() + " -> " + binding.getRoleRef().getName());
            }
        }
        assertThat(dangling).as("references to objects %s does not create", rendered.source()).isEmpty();
    }

    /** The labeler ClusterRole comes with deploy/install, which the broker namespaces' kustomizations do not include. */
    private static boolean isInstalledElsewhere(String clusterRole) {
        return clusterRole.equals(RbacNames.LABELER_CLUSTER_ROLE);
    }

    private static String namespaceOf(Rendered rendered, String workload) {
        String[] kindAndName = workload.split("/", 2);
        return rendered.objects().stream()
                .filter(o -> o.getKind().equals(kindAndName[0]) && o.getMetadata().getName().equals(kindAndName[1]))
                .map(o -> o.getMetadata().getNamespace()).findFirst().orElseThrow();
    }

    private static <T extends HasMetadata> boolean exists(Rendered rendered, Class<T> type, String namespace, String name) {
        return rendered.all(type).stream().anyMatch(o -> o.getMetadata().getName().equals(name)
                && java.util.Objects.equals(o.getMetadata().getNamespace(), namespace));
    }

    private static void assertNoDuplicates(Rendered rendered) {
        Set<String> seen = new HashSet<>();
        for (HasMetadata object : rendered.objects()) {
            String id = object.getApiVersion() + "/" + object.getKind() + "/" + object.getMetadata().getNamespace()
                    + "/" + object.getMetadata().getName();
            assertThat(seen.add(id)).as("duplicate object %s in %s", id, rendered.source()).isTrue();
        }
    }
}
