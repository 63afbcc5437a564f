package io.activemqha.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders and lints the chart under deploy/helm with the real {@code helm}, offline: the pinned build of
 * {@code e2e/helm.sh}, never a chart repository.
 */
final class Helm {
    /** Environment variable naming the directory e2e/helm.sh printed (as ACTIVEMQ_HA_CONTROL_PLANE does for kubectl). */
    static final String DIRECTORY_ENV = "ACTIVEMQ_HA_HELM";
    /** System property naming the file into which the Maven e2e profile's run of e2e/helm.sh wrote that directory. */
    static final String DIRECTORY_FILE_PROPERTY = "activemq.ha.helm.file";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    // Offline and independent of the user's helm set-up: no plugins, and templates never look at a cluster.
    private static final Map<String, String> ENVIRONMENT = Map.of("HELM_NO_PLUGINS", "1", "KUBECONFIG", "/dev/null");

    private final Path binary;

    private Helm(Path binary) {
        this.binary = binary;
    }

    /**
     * {@code $ACTIVEMQ_HA_HELM/helm}, else the helm the e2e profile built (named in the file of
     * {@code -Dactivemq.ha.helm.file}), else the PATH's; fails with the remedy when there is none.
     */
    static Helm locate() {
        String configured = System.getenv(DIRECTORY_ENV);
        Optional<Path> directory = configured != null && !configured.isBlank()
                ? Optional.of(Path.of(configured)) : builtDirectory();
        Path binary = directory.map(dir -> dir.resolve("helm")).or(() -> Commands.onPath("helm")).orElse(Path.of("helm"));
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("helm not found (looked for " + binary + "): the chart tests render "
                    + "deploy/helm with `helm template`; run ./test.sh (its e2e profile builds a pinned helm), or run "
                    + "e2e/helm.sh and set " + DIRECTORY_ENV + " to the directory it prints");
        }
        return new Helm(binary);
    }

    /** {@code helm template RELEASE CHART --namespace NAMESPACE args...}; fails with helm's message on an error. */
    String template(Path chart, String release, String namespace, List<String> args) {
        Commands.Result result = templateResult(chart, release, namespace, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("`helm template " + release + " " + chart + " " + args + "` exited "
                    + result.exitCode() + ":\n" + result.stderr());
        }
        return result.stdout();
    }

    /** The same, for a test that expects helm to refuse. */
    Commands.Result templateResult(Path chart, String release, String namespace, List<String> args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "template", release, chart.toString(),
                "--namespace", namespace));
        command.addAll(args);
        return Commands.run(command, ENVIRONMENT, TIMEOUT);
    }

    /** {@code helm lint --strict CHART args...}. */
    Commands.Result lint(Path chart, List<String> args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "lint", "--strict", chart.toString()));
        command.addAll(args);
        return Commands.run(command, ENVIRONMENT, TIMEOUT);
    }

    private static Optional<Path> builtDirectory() {
        Path file = Path.of(System.getProperty(DIRECTORY_FILE_PROPERTY, "none"));
        try {
            return Files.isRegularFile(file) ? Optional.of(Path.of(Files.readString(file).strip())) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
