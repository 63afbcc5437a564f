package io.activemqha.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entry point: the launcher script and the shaded jar laid out as in the image. The class-data-sharing
 * archive is built from a serve process answering a self-test process and then really used; the self-test passes
 * through the launcher, in-process and against a running serve.
 */
class LauncherIT {
    private static final Path JAR = Path.of(System.getProperty("webhook.jar", "target/activemq-ha-webhook.jar"));
    private static final Path LAUNCHER = Path.of(System.getProperty("webhook.launcher", "src/main/sh/webhook"));

    @TempDir
    Path app;

    @Test
    void buildsTheCdsArchiveFromTheSelfTestAndServesFromIt() throws Exception {
        Files.copy(JAR, app.resolve("activemq-ha-webhook.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        Path launcher = Files.copy(LAUNCHER, app.resolve("webhook"), StandardCopyOption.COPY_ATTRIBUTES);

        Run created = run(Map.of(), launcher.toString(), "--create-cds-archive");
        assertThat(created.exit()).as(created.output()).isZero();
        assertThat(app.resolve("activemq-ha-webhook.jsa")).isNotEmptyFile();

        // -Xshare:on: a JVM that cannot map the archive refuses to start instead of silently running without it.
        Run selfTest = run(Map.of("WEBHOOK_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info"), launcher.toString(),
                "self-test");
        assertThat(selfTest.exit()).as(selfTest.output()).isZero();
        assertThat(selfTest.output()).contains("self-test passed").doesNotContain("FAILED");
        assertThat(selfTest.output().lines().filter(l -> l.startsWith("ok ")).count()).isEqualTo(14);
        // The review path itself comes from the archive, not from the jar.
        assertThat(selfTest.output()).containsPattern(
                "io\\.activemqha\\.webhook\\.admission\\.PodInjector source: shared objects file \\(top\\)");

        // The jar leaves BouncyCastle's JCA provider out (webhook/pom.xml): nothing instantiates it.
        assertThat(selfTest.output()).doesNotContain("org.bouncycastle.jcajce.provider.", "org.bouncycastle.jce.provider.");

        // The archive holds what the server loaded, not the test client's classes.
        assertThat(selfTest.output()).containsPattern(
                "io\\.vertx\\.core\\.http\\.impl\\.HttpClientImpl source: (jar|file):");

        Run flags = run(Map.of(), launcher.toString(), "--print-jvm-flags");
        assertThat(flags.output()).contains("-XX:+UseSerialGC", "-Xmx").doesNotContain("TieredStopAtLevel");
    }

    @Test
    void aBrokenWebhookFailsTheTrainingRunWithAHint() throws Exception {
        Files.writeString(app.resolve("activemq-ha-webhook.jar"), "not a jar");
        Path launcher = Files.copy(LAUNCHER, app.resolve("webhook"), StandardCopyOption.COPY_ATTRIBUTES);
        Run created = run(Map.of(), launcher.toString(), "--create-cds-archive");
        assertThat(created.exit()).isEqualTo(1);
        assertThat(created.output()).contains("the training run failed");
        assertThat(app.resolve("activemq-ha-webhook.jsa")).doesNotExist();
    }

    @Test
    void selfTestAgainstATargetNeedsAnHttpsUrlAndItsCa() throws Exception {
        Path launcher = Files.copy(LAUNCHER, app.resolve("webhook"), StandardCopyOption.COPY_ATTRIBUTES);
        Map<String, String> env = Map.of("WEBHOOK_JAR", JAR.toAbsolutePath().toString());
        Run noCa = run(env, launcher.toString(), "self-test", "--target", "https://127.0.0.1:8443");
        assertThat(noCa.exit()).isEqualTo(2);
        assertThat(noCa.output()).contains("--target needs --ca-file");
        Run plain = run(env, launcher.toString(), "self-test", "--target", "http://127.0.0.1:8443", "--ca-file", "ca.crt");
        assertThat(plain.exit()).isEqualTo(2);
        assertThat(plain.output()).contains("--target http://127.0.0.1:8443: expected https://HOST:PORT");
        Path missing = app.resolve("missing-ca.crt");
        Run noFile = run(env, launcher.toString(), "self-test", "--target", "https://127.0.0.1:8443", "--ca-file",
                missing.toString());
        assertThat(noFile.exit()).isEqualTo(2);
        assertThat(noFile.output()).contains("--ca-file " + missing + ": no readable file");
    }

    private record Run(int exit, String output) {
    }

    private Run run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
