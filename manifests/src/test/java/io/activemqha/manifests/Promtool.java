package io.activemqha.manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The promtool that manifests/promtool.sh built or found in its cache; the build names its directory in the file of
 * the system property {@value #PROPERTY}, so the tests never pick up some other promtool from the PATH.
 */
record Promtool(Path binary) {
    static final String PROPERTY = "activemq.ha.promtool.file";

    /** What one run printed (stdout and stderr together) and how it exited. */
    record Result(int exitCode, String output) {
    }

    static Promtool fromBuild() throws IOException {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank() || !Files.isRegularFile(Path.of(file))) {
            throw new IllegalStateException("no promtool: the build writes its directory into -D" + PROPERTY
                    + " (got '" + file + "') by running manifests/promtool.sh; run the tests through Maven");
        }
        Path binary = Path.of(Files.readString(Path.of(file)).strip(), "promtool");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is not executable (named in " + file + ")");
        }
        return new Promtool(binary);
    }

    /** Runs {@code promtool ARGS} in {@code directory}. */
    Result run(Path directory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(directory, "promtool-", ".out");
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 2 minutes");
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    /** What promtool.sh recorded about the build (promtool itself is built without version stamps). */
    String buildInfo() throws IOException {
        return Files.readString(binary.resolveSibling("build-info.txt")).strip().replace('\n', ' ');
    }
}
