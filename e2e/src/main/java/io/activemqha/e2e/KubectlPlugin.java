package io.activemqha.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kubectl plugin installed as docs/kubectl-plugin.md says (the launcher script and the jar copied into one
 * directory on the PATH) and run as users run it: {@code kubectl activemq-ha ...} with {@code KUBECONFIG} set, so
 * kubectl's plugin lookup finds the launcher and the launcher finds the jar.
 *
 * @param kubectl    the kubectl binary (its own kubeconfig is not used: the plugin reads {@code KUBECONFIG})
 * @param directory  where the launcher and the jar are installed
 */
public record KubectlPlugin(Path kubectl, Path directory) {
    /** The executable name kubectl looks for: {@code kubectl activemq-ha} runs {@code kubectl-activemq_ha}. */
    public static final String EXECUTABLE = "kubectl-activemq_ha";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    /** Copies {@code jar} and the launcher from {@code projectRoot}'s cli module into {@code directory}. */
    public static KubectlPlugin install(Path kubectl, Path jar, Path projectRoot, Path directory) {
        try {
            Files.createDirectories(directory);
            Path launcher = directory.resolve(EXECUTABLE);
            Files.copy(projectRoot.resolve("cli/src/main/sh/" + EXECUTABLE), launcher, StandardCopyOption.REPLACE_EXISTING);
            launcher.toFile().setExecutable(true);
            Files.copy(jar, directory.resolve("activemq-ha-cli.jar"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the kubectl plugin into " + directory, e);
        }
        return new KubectlPlugin(kubectl, directory);
    }

    /** Runs {@code kubectl activemq-ha args...} against {@code kubeconfig}, with the test JVM's Java. */
    public CommandResult run(Path kubeconfig, String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString(), "activemq-ha"));
        command.addAll(List.of(args));
        return Commands.run(command, Map.of(
                "KUBECONFIG", kubeconfig.toString(),
                "PATH", directory + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "JAVA_HOME", System.getProperty("java.home")), TIMEOUT);
    }
}
