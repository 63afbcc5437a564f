package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.webhook.admission.InjectorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every image deploy/install runs, and the labeler image the webhook injects, is one of the kustomization's
 * {@code images:} entries, so that one {@code images:} override in a user's overlay moves all of them to a registry.
 */
class ImagesManifestTest {
    private static final String LABELER = "activemq-ha/leader-labeler";
    private static final String REGISTRY = "registry.example.com/platform/";

    private final DeployTree tree = DeployTree.fromBuild();

    @Test
    void everyInstalledImageAndTheInjectedLabelerImageComeFromTheImagesEntries() {
        Map<String, String> images = imageReferences(tree.kustomizationOf(tree.paths().install()));
        assertThat(images).containsKey(LABELER);
        int checked = 0;
        for (Path variant : tree.kustomizations()) {
            // The install and its variants; not the examples, nor deploy/monitoring (no workloads).
            boolean install = variant.equals(tree.paths().install())
                    || variant.startsWith(tree.paths().deploy().resolve("variants"));
            if (!install) {
                continue;
            }
            checked++;
            Rendered rendered = tree.render(variant);
            Workloads.podSpecs(rendered).forEach((workload, spec) -> assertThat(Containers.all(spec))
                    .as("%s in %s", workload, rendered.source())
                    .allSatisfy(container -> assertThat(images.values()).contains(container.getImage())));
            WebhookFlags flags = webhookFlags(rendered);
            assertThat(flags.labelerImage()).as("--labeler-image in %s", rendered.source()).isEqualTo(images.get(LABELER));
        }
        assertThat(checked).as("the install and its variants").isGreaterThanOrEqualTo(3);
        assertThat(images.get(LABELER)).as("the webhook's built-in default is the released labeler")
                .isEqualTo(InjectorConfig.DEFAULT_LABELER_IMAGE);
    }

    @Test
    void oneImagesOverrideMovesTheWebhookItsJobsAndTheInjectedLabeler(@TempDir Path overlay) throws IOException {
        Map<String, String> images = imageReferences(tree.kustomizationOf(tree.paths().install()));
        StringBuilder kustomization = new StringBuilder("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
                .append("resources:\n  - ").append(overlay.relativize(tree.paths().install())).append("\nimages:\n");
        for (String name : images.keySet()) {
            kustomization.append("  - name: ").append(name).append("\n    newName: ").append(REGISTRY).append(name)
                    .append("\n    newTag: \"9.9.9\"\n");
        }
        Files.writeString(overlay.resolve("kustomization.yaml"), kustomization);

        Rendered rendered = tree.renderOverlay(overlay);
        Map<String, PodSpec> workloads = Workloads.podSpecs(rendered);
        assertThat(workloads).isNotEmpty();
        workloads.forEach((workload, spec) -> assertThat(Containers.all(spec)).extracting(Container::getImage)
                .as(workload).allSatisfy(image -> assertThat(image).startsWith(REGISTRY).endsWith(":9.9.9")));
        assertThat(webhookFlags(rendered).labelerImage()).isEqualTo(REGISTRY + LABELER + ":9.9.9");
    }

    @Test
    void theExampleBrokerImageIsTheOfficialOnePinnedToARelease() {
        Deployment brokers = tree.render(tree.paths().example()).only(Deployment.class);
        assertThat(brokers.getSpec().getTemplate().getSpec().getContainers()).singleElement()
                .satisfies(broker -> assertThat(broker.getImage()).matches("apache/activemq-classic:\\d+\\.\\d+\\.\\d+"));
    }

    private static WebhookFlags webhookFlags(Rendered rendered) {
        return WebhookFlags.of(rendered.only(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0));
    }

    /** name -> the reference kustomize writes for it (newName or name, then :newTag). */
    private static Map<String, String> imageReferences(JsonNode kustomization) {
        Map<String, String> references = new LinkedHashMap<>();
        for (JsonNode image : kustomization.path("images")) {
            String name = image.path("name").asString();
            String newName = image.path("newName").asString(name);
            assertThat(image.has("newTag")).as("images entry %s pins a tag", name).isTrue();
            references.put(name, newName + ":" + image.path("newTag").asString());
        }
        return references;
    }
}
