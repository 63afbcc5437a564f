package io.activemqha.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the helm binary built by {@code e2e/helm.sh} against one kubeconfig, offline (charts install from their
 * directory; no repository is reachable) and without the user's plugins.
 *
 * @param binary     the helm executable
 * @param kubeconfig the kubeconfig every invocation uses
 */
public record Helm(Path binary, Path kubeconfig) {
    /** Environment variable naming the directory e2e/helm.sh printed (when Maven does not run it: -Dexec.skip). */
    public static final String DIRECTORY_ENV = "ACTIVEMQ_HA_HELM";
    /** System property naming the file into which the Maven e2e profile's run of e2e/helm.sh wrote the directory. */
    public static final String DIRECTORY_FILE_PROPERTY = "activemq.ha.helm.file";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    /**
     * {@code $ACTIVEMQ_HA_HELM/helm}, else the one named in the file of {@link #DIRECTORY_FILE_PROPERTY}, else the
     * first on the PATH.
     *
     * @throws IllegalStateException naming how to get one
     */
    public static Path defaultBinary() {
        String configured = System.getenv().getOrDefault(DIRECTORY_ENV, "");
        Optional<Path> directory = configured.isBlank() ? builtDirectory() : Optional.of(Path.of(configured));
        return directory.map(dir -> dir.resolve("helm"))
                .or(() -> Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                        .map(dir -> Path.of(dir, "helm")).filter(Files::isExecutable).findFirst())
                .filter(Files::isExecutable)
                .orElseThrow(() -> new IllegalStateException("helm not found: run the e2e tests through Maven's e2e "
                        + "profile (it runs e2e/helm.sh), or set " + DIRECTORY_ENV + " to the directory e2e/helm.sh prints"));
    }

    /** Runs {@code helm args...} with a 120 s limit. */
    public CommandResult run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        return Commands.run(command, Map.of("HELM_NO_PLUGINS", "1"), TIMEOUT);
    }

    /**
     * Runs {@code helm args...} and returns its standard output.
     *
     * @throws IllegalStateException with helm's error output when it exits non-zero
     */
    public String succeed(String... args) {
        CommandResult result = run(args);
        if (!result.succeeded()) {
            throw new IllegalStateException("helm " + String.join(" ", args) + " exited " + result.exitCode() + ": "
                    + result.stderr().strip());
        }
        return result.stdout();
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
