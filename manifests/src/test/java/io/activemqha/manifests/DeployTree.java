package io.activemqha.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The kustomizations and components under deploy/, and how to render them. */
final class DeployTree {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String FILE = "kustomization.yaml";

    private final RepoPaths paths;
    private final Kustomize kustomize;

    DeployTree(RepoPaths paths, Kustomize kustomize) {
        this.paths = paths;
        this.kustomize = kustomize;
    }

    static DeployTree fromBuild() {
        return new DeployTree(RepoPaths.fromBuild(), Kustomize.onPath());
    }

    RepoPaths paths() {
        return paths;
    }

    /** Directories users apply with {@code kubectl apply -k} (every kustomization that is not a Component). */
    List<Path> kustomizations() {
        return directories().stream().filter(dir -> !isComponent(dir)).toList();
    }

    /** Directories holding a kustomize {@code Component}, which only take effect when a kustomization includes them. */
    List<Path> components() {
        return directories().stream().filter(this::isComponent).toList();
    }

    /** The parsed kustomization file of {@code dir}. */
    JsonNode kustomizationOf(Path dir) {
        return YAML.readTree(read(dir.resolve(FILE)));
    }

    /** Renders {@code dir} with kubectl and loads the result into the typed model. */
    Rendered render(Path dir) {
        return Rendered.load(paths.root().relativize(dir.toAbsolutePath().normalize()).toString(), kustomize.render(dir));
    }

    /** Renders any kustomization directory, e.g. a temporary overlay a test writes. */
    Rendered renderOverlay(Path dir) {
        return Rendered.load(dir.toString(), kustomize.render(dir));
    }

    /** The flags of the webhook that deploy/install runs, as its {@code serve} command parses them. */
    WebhookFlags installedWebhookFlags() {
        Rendered install = render(paths.install());
        return WebhookFlags.of(install.only(io.fabric8.kubernetes.api.model.apps.Deployment.class)
                .getSpec().getTemplate().getSpec().getContainers().get(0));
    }

    private boolean isComponent(Path dir) {
        return "Component".equals(kustomizationOf(dir).path("kind").asString(""));
    }

    private List<Path> directories() {
        try (Stream<Path> files = Files.walk(paths.deploy())) {
            return files.filter(file -> file.getFileName().toString().equals(FILE))
                    .map(Path::getParent)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
