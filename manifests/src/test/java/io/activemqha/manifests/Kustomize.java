package io.activemqha.manifests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
        Result result = run(List.of(kubectl, "kustomize", dir.toString()));
        if (result.exitCode() != 0) {
            throw new AssertionError("`kubectl kustomize " + dir + "` exited " + result.exitCode() + ":\n" + result.stderr());
        }
        return result.stdout();
    }

    private static boolean isExecutable(String binary) {
        if (binary.contains("/")) {
            return Files.isExecutable(Path.of(binary));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }

    private static Result run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(command + " did not finish within " + TIMEOUT);
            }
            return new Result(process.exitValue(), stdout.join(), stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }
}
