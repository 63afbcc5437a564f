package io.activemqha.webhook.inject;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.activemqha.webhook.WebhookMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InjectCommandTest {
    @TempDir
    Path dir;

    /** Output of one real {@code activemq-ha-webhook inject} process. */
    private record Run(int exitCode, String stdout, String stderr) {
    }

    /** Runs the CLI in its own JVM, as users do, feeding {@code stdin}; the process is always reaped. */
    private Run runProcess(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), WebhookMain.class.getName(), "inject"));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout-" + System.nanoTime());
        Path err = dir.resolve("stderr-" + System.nanoTime());
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            process.getOutputStream().write(stdin);
            process.getOutputStream().close();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("inject finished").isTrue();
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            process.destroyForcibly();
        }
    }

    private Run runInProcess(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InjectCommand command = new InjectCommand(new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code = new CommandLine(command).setErr(new java.io.PrintWriter(errStream, true)).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void realProcessInjectsAFileAndItsOwnOutputIsANoOp() throws Exception {
        Path file = dir.resolve("manifests.yaml");
        Files.writeString(file, ManifestInjectorTest.manifests());

        Run first = runProcess(new byte[0], "-f", file.toString());
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(first.stdout()).contains("name: leader-labeler").contains("kind: Service");
        assertThat(first.stderr()).contains("4 pod(s)/pod template(s) injected");

        Run second = runProcess(first.stdout().getBytes(StandardCharsets.UTF_8), "-f", "-");
        assertThat(second.exitCode()).isZero();
        assertThat(second.stdout()).isEqualTo(first.stdout());
        assertThat(second.stderr()).contains("0 pod(s)/pod template(s) injected");
    }

    @Test
    void realProcessExitsNonZeroWithTheLineOfMalformedYaml() throws Exception {
        byte[] broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: b\nspec: {}\n".getBytes(StandardCharsets.UTF_8);

        Run run = runProcess(broken, "-f", "-");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr()).contains("standard input: line 6: malformed YAML");
    }

    @Test
    void nonAsciiTextSurvivesAndFlagsApply() {
        String manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: grüße\n  annotations:\n    activemq-ha: \"true\"\n"
                + "    activemq-ha/group: orders\n    note: \"Grüße – 日本\"\nspec:\n  containers:\n  - name: broker\n    image: b\n";

        Run run = runInProcess(manifest.getBytes(StandardCharsets.UTF_8), "-f", "-", "--labeler-image", "registry.local/labeler:9",
                "--native-sidecar", "false");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("note: Grüße – 日本").contains("image: registry.local/labeler:9")
                .doesNotContain("initContainers");
    }

    @Test
    void badInputsAndOptionsAreReported() {
        assertThat(runInProcess(new byte[] {(byte) 0xff, (byte) 0xfe}, "-f", "-").stderr()).contains("is not UTF-8 text");
        Run missing = runInProcess(new byte[0], "-f", dir.resolve("absent.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("cannot read").contains("absent.yaml");
        Run badImage = runInProcess(new byte[0], "-f", "-", "--labeler-image", "");
        assertThat(badImage.exitCode()).isEqualTo(2);
        assertThat(runInProcess(new byte[0]).exitCode()).isEqualTo(2);
    }
}
