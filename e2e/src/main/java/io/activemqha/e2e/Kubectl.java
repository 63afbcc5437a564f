package io.activemqha.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the kubectl binary against one kubeconfig.
 *
 * @param binary     the kubectl executable
 * @param kubeconfig the kubeconfig every invocation uses
 */
public record Kubectl(Path binary, Path kubeconfig) {
    /** The kubectl found at {@code /usr/bin/kubectl} or on the PATH. */
    public static Path defaultBinary() {
        Path usrBin = Path.of("/usr/bin/kubectl");
        if (usrBin.toFile().canExecute()) {
            return usrBin;
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir, "kubectl")).filter(p -> p.toFile().canExecute()).findFirst()
                .orElseThrow(() -> new IllegalStateException("kubectl not found (install it: .ci/setup does)"));
    }

    /**
     * Outcome of one invocation.
     *
     * @param exitCode the exit code
     * @param stdout   standard output
     * @param stderr   standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** Runs {@code kubectl args...} with a 60 s limit. */
    public Result run(String... args) {
        return run(Duration.ofSeconds(60), args);
    }

    /** Runs {@code kubectl args...}, killing it after {@code timeout}. */
    public Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        NetworkIsolation.scrubProxyVariables(builder.environment());
        builder.environment().remove("KUBECONFIG");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> stdout = readAsync(process.getInputStream());
            CompletableFuture<String> stderr = readAsync(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish within " + timeout);
            }
            return new Result(process.exitValue(), stdout.join(), stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running kubectl", e);
        }
    }

    /**
     * Runs {@code kubectl args...} and returns its standard output.
     *
     * @throws IllegalStateException with kubectl's error output when it exits non-zero
     */
    public String succeed(String... args) {
        Result result = run(args);
        if (!result.succeeded()) {
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " exited " + result.exitCode()
                    + ": " + result.stderr().strip());
        }
        return result.stdout();
    }

    // A thread per stream: the common pool may have a single worker on a small machine, and a blocked reader of one
    // stream must never keep the other from draining (kubectl would block on a full pipe).
    private static CompletableFuture<String> readAsync(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        }, "kubectl-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
