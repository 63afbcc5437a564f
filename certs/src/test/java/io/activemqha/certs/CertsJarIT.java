package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar as users run it, {@code java -jar activemq-ha-certs.jar ...}, in child processes (failsafe runs
 * this after {@code package}; the jar path comes from the {@code certs.jar} system property).
 */
class CertsJarIT {
    private static Path jar;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findJar() {
        String property = System.getProperty("certs.jar");
        assertThat(property).as("system property certs.jar (set by failsafe in certs/pom.xml)").isNotBlank();
        jar = Path.of(property);
        assertThat(jar).as("the shaded jar; run 'mvn -pl certs verify' so that package builds it").isRegularFile();
    }

    /** What a run printed and returned. */
    record Result(int exitCode, String out, String err) {
    }

    private Result java(List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Result java(String... args) throws Exception {
        return java(List.of(), args);
    }

    @Test
    void createCheckAndRerunWithFiles() throws Exception {
        Path out = tmp.resolve("tls");

        Result created = java("create", "--service", Pki.SERVICE, "--namespace", Pki.NAMESPACE, "--host", "127.0.0.1",
                "--out", out.toString());

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("wrote " + out.resolve("tls.crt"));
        assertThat(out.resolve("ca.crt")).isRegularFile();
        assertThat(out.resolve("tls.key")).isRegularFile();
        ExistingMaterial material = MaterialCodec.decode(new io.activemqha.certs.store.DirectoryStore(out).load().material(), "out");
        assertThat(Certificates.subjectAlternativeNames(material.leaf().orElseThrow())).contains(Pki.SERVICE_DNS, "127.0.0.1");
        assertThat(Certificates.chainFailure(material.leaf().orElseThrow(), material.caBundle(), java.time.Instant.now())).isEmpty();

        Result again = java("create", "--service", Pki.SERVICE, "--namespace", Pki.NAMESPACE, "--host", "127.0.0.1",
                "--out", out.toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("no write: everything is up to date");

        Result check = java("check", "--dir", out.toString(), "--service", Pki.SERVICE, "--namespace", Pki.NAMESPACE);
        assertThat(check.exitCode()).as(check.out()).isZero();
        assertThat(check.out()).endsWith("valid\n");
    }

    @Test
    void badInputExitsNonZeroWithOneLineAndNoStackTrace() throws Exception {
        Result result = java("create", "--service", "Not_A_Label", "--namespace", "x", "--out", tmp.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("error: service 'Not_A_Label' is not a DNS label").doesNotContain("\tat ");
        assertThat(result.err().lines()).hasSize(2); // the message and the --help hint
    }

    @Test
    void versionComesFromTheManifest() throws Exception {
        Result version = java("--version");

        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("activemq-ha-certs 0.");
    }

    /** The jar's Kubernetes client (JDK HTTP client found through the shaded service files) against the mock API. */
    @Test
    void createAndPatchAgainstTheApiServer() throws Exception {
        try (MockApi api = new MockApi()) {
            api.client.resource(WebhookFixtures.mutating("activemq-ha-webhook", "pods.activemq-ha.io")).create();
            List<String> apiServer = List.of(
                    "-Dkubernetes.master=" + api.client.getConfiguration().getMasterUrl(),
                    "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                    "-Dkubernetes.namespace=" + Pki.NAMESPACE);

            Result created = java(apiServer, "create", "--service", Pki.SERVICE, "--namespace", Pki.NAMESPACE,
                    "--secret", "webhook-tls");
            assertThat(created.exitCode()).as(created.err()).isZero();
            Secret secret = api.client.secrets().inNamespace(Pki.NAMESPACE).withName("webhook-tls").get();
            assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");

            Result patched = java(apiServer, "patch", "--webhook-config", "activemq-ha-webhook",
                    "--secret", "webhook-tls", "--namespace", Pki.NAMESPACE);
            assertThat(patched.exitCode()).as(patched.err()).isZero();
            assertThat(patched.out()).contains("caBundle updated in 1 of 1 webhook(s)");
            assertThat(WebhookFixtures.caBundleOf(api.client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName("activemq-ha-webhook").get().getWebhooks().get(0).getClientConfig()))
                    .isEqualTo(Pem.decodeCertificates(new String(java.util.Base64.getDecoder().decode(secret.getData().get("ca.crt")),
                            StandardCharsets.UTF_8)));
        }
    }
}
