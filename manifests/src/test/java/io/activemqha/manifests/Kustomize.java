package io.activemqha.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders a kustomization the way users apply it, with the real {@code kubectl kustomize} (the kustomize built into
 * kubectl, whose version is what {@code kubectl apply -k} uses). The binary is {@code $KUBECTL} or {@code kubectl}
 * on the PATH.
 */
final class Kustomize {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String kubectl;

    private Kustomize(String kubectl) {
        this.kubectl = kubectl;
    }

    /**
     * {@code $KUBECTL}, else the release-matched kubectl of the control plane that the e2e profile found (named in the
     * file of {@code -Dactivemq.ha.control.plane.file}), else the PATH's; fails with the remedy when there is none.
     */
    static Kustomize onPath() {
        String configured = System.getenv("KUBECTL");
        String binary = configured != null && !configured.isBlank() ? configured : controlPlaneKubectl().orElse("kubectl");
        if (!isExecutable(binary)) {
            throw new IllegalStateException("kubectl not found (looked for '" + binary + "' on the PATH): the manifest "
                    + "tests render deploy/ with `kubectl kustomize`; run ./test.sh (it builds a release-matched kubectl) or set $KUBECTL");
        }
        return new Kustomize(binary);
    }

    private static Optional<String> controlPlaneKubectl() {
        Path file = Path.of(System.getProperty("activemq.ha.control.plane.file", "none"));
        try {
            return Files.isRegularFile(file) ? Optional.of(Path.of(Files.readString(file).strip(), "kubectl").toString()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The rendered multi-document YAML of the kustomization in {@code dir}. */
    String render(Path dir) {
        Commands.Result result = Commands.run(List.of(kubectl, "kustomize", dir.toString()), Map.of(), TIMEOUT);
        if (result.exitCode() != 0) {
            throw new AssertionError("`kubectl kustomize " + dir + "` exited " + result.exitCode() + ":\n" + result.stderr());
        }
        return result.stdout();
    }

    private static boolean isExecutable(String binary) {
        return binary.contains("/") ? Files.isExecutable(Path.of(binary)) : Commands.onPath(binary).isPresent();
    }
}
