package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
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

/** Every kustomization under deploy/ renders with kubectl and loads into the typed model without unknown fields. */
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
        assertThat(missing).as("namespaced objects without a namespace in %s (kubectl apply would put them into "
                + "whatever namespace the user's context has)", rendered.source()).isEmpty();
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
