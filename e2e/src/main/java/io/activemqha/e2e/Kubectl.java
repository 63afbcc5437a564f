package io.activemqha.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the kubectl binary against one kubeconfig.
 *
 * @param binary     the kubectl executable
 * @param kubeconfig the kubeconfig every invocation uses
 */
public record Kubectl(Path binary, Path kubeconfig) {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * The kubectl to use: {@code $KUBECTL}, else the one control-plane.sh built beside the API server (same release),
     * else the first on the PATH.
     */
    public static Path defaultBinary() {
        String configured = System.getenv("KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Optional<Path> controlPlane = ControlPlaneBinaries.directory().map(dir -> dir.resolve("kubectl"));
        if (controlPlane.isPresent() && controlPlane.get().toFile().canExecute()) {
            return controlPlane.get();
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir, "kubectl")).filter(p -> p.toFile().canExecute()).findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "kubectl not found: set KUBECTL or ACTIVEMQ_HA_CONTROL_PLANE (e2e/control-plane.sh builds one)"));
    }

    /** The same kubectl with another kubeconfig (e.g. a service account's). */
    public Kubectl as(Path otherKubeconfig) {
        return new Kubectl(binary, otherKubeconfig);
    }

    /** Runs {@code kubectl args...} with a 60 s limit. */
    public CommandResult run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        return Commands.run(command, Map.of(), TIMEOUT);
    }

    /**
     * Runs {@code kubectl args...} and returns its standard output.
     *
     * @throws IllegalStateException with kubectl's error output when it exits non-zero
     */
    public String succeed(String... args) {
        CommandResult result = run(args);
        if (!result.succeeded()) {
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " exited " + result.exitCode()
                    + ": " + result.stderr().strip());
        }
        return result.stdout();
    }
}
