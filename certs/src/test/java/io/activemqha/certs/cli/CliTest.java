package io.activemqha.certs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.certs.MockApi;
import io.activemqha.certs.Pem;
import io.activemqha.certs.Pki;
import io.activemqha.certs.WebhookFixtures;
import io.activemqha.common.RbacRules;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line in-process: exit codes, messages, and the effects on files and on the mock API server. */
class CliTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String NS = Pki.NAMESPACE;
    private static final String SECRET = "activemq-ha-webhook-tls";
    private static final String CONFIG = "activemq-ha-webhook";

    private final MockApi api = new MockApi();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        api.close();
    }

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    private Run run(Instant now, String... args) {
        CommandLine commandLine = CertsCommandLine.create(
                new CliEnvironment(Clock.fixed(now, ZoneOffset.UTC), () -> api.client));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static List<String> args(String... args) {
        return new ArrayList<>(List.of(args));
    }

    private String[] createOut(String... extra) {
        List<String> args = args("create", "--service", Pki.SERVICE, "--namespace", NS, "--out", dir.toString());
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static void assertOneLineError(Run run, int exitCode, String message) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(exitCode);
        assertThat(run.err()).startsWith("error: ").contains(message).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void createThenRerunThenCheck() {
        Run created = run(T0, createOut("--host", "10.0.0.7"));
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("- there is no CA yet", "wrote " + dir.resolve("tls.crt"),
                "serving certificate valid until 2031-01-01T00:00:00Z");
        assertThat(created.err()).isEmpty();

        Run again = run(T0.plus(Pki.days(1)), createOut("--host", "10.0.0.7"));
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("kept: directory " + dir + " is valid for 5 names", "no write: everything is up to date")
                .doesNotContain("wrote");

        Run check = run(T0.plus(Pki.days(1)), "check", "--dir", dir.toString(), "--service", Pki.SERVICE,
                "--namespace", NS, "--host", "10.0.0.7");
        assertThat(check.exitCode()).as(check.out()).isZero();
        assertThat(check.out()).contains("OK       serving certificate chains to the CA bundle",
                "OK       tls.key belongs to tls.crt", "include every expected name", "valid\n")
                .containsPattern("OK       serving certificate CN=activemq-ha-webhook: valid .* \\(expires in 364d\\)");
    }

    @Test
    void checkFailsWhenExpiredExpiringOrMissingNames() {
        assertThat(run(T0, createOut()).exitCode()).isZero();

        Run expired = run(T0.plus(Pki.days(400)), "check", "--dir", dir.toString());
        assertThat(expired.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(expired.out()).contains("FAIL     serving certificate CN=activemq-ha-webhook", "EXPIRED 35d ago", "NOT VALID");

        Run expiring = run(T0.plus(Pki.days(350)), "check", "--dir", dir.toString(), "--warn-before", "30d");
        assertThat(expiring.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(expiring.out()).contains("EXPIRING serving certificate", "(expires in 15d)");
        assertThat(run(T0.plus(Pki.days(350)), "check", "--dir", dir.toString(), "--warn-before", "10d").exitCode()).isZero();

        Run names = run(T0, "check", "--dir", dir.toString(), "--host", "webhook.example.com");
        assertThat(names.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(names.out()).contains("lack [webhook.example.com]");
    }

    @Test
    void invalidInputIsAUsageErrorWithAOneLineMessage() {
        assertOneLineError(run(T0, "create", "--service", "Webhook", "--namespace", NS, "--out", dir.toString()),
                ExitCodes.USAGE, "service 'Webhook' is not a DNS label");
        assertOneLineError(run(T0, "create", "--service", "webhook", "--namespace", "a.b", "--out", dir.toString()),
                ExitCodes.USAGE, "namespace 'a.b' is not a DNS label");
        assertOneLineError(run(T0, createOut("--host", "bad_host")), ExitCodes.USAGE,
                "host 'bad_host' is neither an IP address nor a DNS name");
        assertOneLineError(run(T0, createOut("--leaf-validity", "1 year")), ExitCodes.USAGE,
                "Invalid value for option '--leaf-validity': '1 year' is not a duration");
        assertOneLineError(run(T0, createOut("--leaf-validity", "20y")), ExitCodes.USAGE,
                "the leaf validity (7300d) must be shorter than the CA validity (3650d)");
        assertOneLineError(run(T0, createOut("--key-algorithm", "dsa")), ExitCodes.USAGE,
                "unknown key algorithm 'dsa': expected ecdsa-p256, rsa-2048 or rsa-3072");
        assertOneLineError(run(T0, "create", "--service", "webhook", "--namespace", NS), ExitCodes.USAGE,
                "create needs --out DIR and/or --secret NAME");
        assertOneLineError(run(T0, "create", "--namespace", NS, "--out", dir.toString()), ExitCodes.USAGE,
                "Missing required option: '--service=NAME'");
        assertOneLineError(run(T0, "patch", "--webhook-config", CONFIG, "--ca-file", "x", "--secret", "y"),
                ExitCodes.USAGE, "patch needs exactly one of --ca-file F or --secret NAME");
        assertOneLineError(run(T0, "check", "--secret", SECRET), ExitCodes.USAGE, "--secret needs --namespace");
        assertOneLineError(run(T0), ExitCodes.USAGE, "a command is needed: create, patch or check");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void unreadableOrDamagedMaterialFailsWithoutWriting() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertOneLineError(run(T0, "create", "--service", "w", "--namespace", NS, "--out", file.toString()),
                ExitCodes.FAILED, file + " is not a directory");

        assertThat(run(T0, createOut()).exitCode()).isZero();
        Files.writeString(dir.resolve("tls.key"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        String before = Files.readString(dir.resolve("tls.crt"));
        assertOneLineError(run(T0.plus(Pki.days(300)), createOut()), ExitCodes.FAILED,
                "directory " + dir + ": tls.key: ");
        assertThat(Files.readString(dir.resolve("tls.crt"))).isEqualTo(before);
        assertOneLineError(run(T0, "check", "--dir", dir.toString()), ExitCodes.FAILED, "tls.key");

        assertOneLineError(run(T0, "patch", "--webhook-config", CONFIG, "--ca-file", dir.resolve("absent.crt").toString()),
                ExitCodes.FAILED, "cannot read " + dir.resolve("absent.crt"));
        assertOneLineError(run(T0, "patch", "--webhook-config", CONFIG, "--ca-file", dir.resolve("tls.crt").toString()),
                ExitCodes.FAILED, "which is not a CA certificate: refusing to put it into a caBundle");
    }

    @Test
    void secretCreatePatchAndCheckAgainstTheApi() throws Exception {
        api.client.resource(WebhookFixtures.mutating(CONFIG, "pods.activemq-ha.io")).create();
        String[] create = {"create", "--service", Pki.SERVICE, "--namespace", NS, "--secret", SECRET};

        Run created = run(T0, create);
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out()).contains("wrote created secret " + NS + "/" + SECRET + "-ca [ca.key]",
                "wrote created secret " + NS + "/" + SECRET + " [ca.crt, tls.crt, tls.key]");
        Run again = run(T0.plus(Pki.days(1)), create);
        assertThat(again.out()).contains("no write: everything is up to date");

        String[] checkWebhook = {"check", "--secret", SECRET, "--namespace", NS, "--webhook-config", CONFIG};
        Run unpatched = run(T0, checkWebhook);
        assertThat(unpatched.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(unpatched.out()).contains("FAIL     mutatingwebhookconfiguration/" + CONFIG
                + " webhook pods.activemq-ha.io: caBundle is empty or unreadable");

        String[] patch = {"patch", "--webhook-config", CONFIG, "--secret", SECRET, "--namespace", NS};
        Run patched = run(T0, patch);
        assertThat(patched.exitCode()).as(patched.err()).isZero();
        assertThat(patched.out()).isEqualTo("mutatingwebhookconfiguration/" + CONFIG + ": caBundle updated in 1 of 1 webhook(s)\n");
        Secret secret = api.client.secrets().inNamespace(NS).withName(SECRET).get();
        assertThat(WebhookFixtures.caBundleOf(api.client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(CONFIG).get().getWebhooks().get(0).getClientConfig()))
                .isEqualTo(Pem.decodeCertificates(new String(java.util.Base64.getDecoder().decode(secret.getData().get("ca.crt")))));
        assertThat(run(T0, patch).out()).contains("caBundle already current in all 1 webhook(s); nothing written");
        Run trusted = run(T0, checkWebhook);
        assertThat(trusted.exitCode()).as(trusted.out()).isZero();
        assertThat(trusted.out()).contains("OK       mutatingwebhookconfiguration/" + CONFIG
                + " webhook pods.activemq-ha.io: caBundle trusts the serving certificate");

        // The CA key lost: the next create rotates to a new CA; once the leaf has moved to it, a caBundle that was
        // not patched since no longer trusts it, and check says so.
        api.client.secrets().inNamespace(NS).withName(SECRET + "-ca").delete();
        assertThat(run(T0.plus(Pki.days(2)), create).out()).contains("the CA key is missing");
        Run moved = run(T0.plus(Pki.days(3)), create);
        assertThat(moved.out()).contains("the serving certificate moves from the previous CA to the current one");
        Run stale = run(T0.plus(Pki.days(3)), checkWebhook);
        assertThat(stale.exitCode()).isEqualTo(ExitCodes.CHECK_FAILED);
        assertThat(stale.out()).contains("caBundle does not trust the serving certificate");
        assertThat(run(T0.plus(Pki.days(3)), patch).out()).contains("caBundle updated in 1 of 1 webhook(s)");
        assertThat(run(T0.plus(Pki.days(3)), checkWebhook).exitCode()).isZero();

        Run check = run(T0.plus(Pki.days(3)), "check", "--secret", SECRET, "--namespace", NS, "--service", Pki.SERVICE);
        assertThat(check.exitCode()).as(check.out()).isZero();
        assertThat(check.out()).startsWith("secret " + NS + "/" + SECRET + ":");
    }

    @Test
    void secretOfTheWrongTypeFailsAndStaysUntouched() {
        Secret opaque = api.client.secrets().inNamespace(NS).resource(new SecretBuilder()
                .withNewMetadata().withName(SECRET).endMetadata().withType("Opaque").addToData("token", "c2VjcmV0").build())
                .create();

        assertOneLineError(run(T0, "create", "--service", Pki.SERVICE, "--namespace", NS, "--secret", SECRET),
                ExitCodes.FAILED, "secret " + NS + "/" + SECRET + " has type Opaque, expected kubernetes.io/tls; it was left untouched");
        assertThat(api.client.secrets().inNamespace(NS).withName(SECRET).get()).isEqualTo(opaque);
        assertOneLineError(run(T0, "check", "--secret", SECRET, "--namespace", NS), ExitCodes.FAILED, "has type Opaque");
    }

    @Test
    void apiErrorsAreOneLineFailures() {
        api.server.expect().get().withPath("/api/v1/namespaces/" + NS + "/secrets/" + SECRET)
                .andReturn(403, new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                        .withMessage("secrets \"" + SECRET + "\" is forbidden: User \"system:serviceaccount:" + NS
                                + ":certs\" cannot get resource \"secrets\"").build())
                .always();
        api.client.resource(WebhookFixtures.mutating(CONFIG, "pods.activemq-ha.io")).create();
        api.server.expect().put().withPath("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/" + CONFIG)
                .andReturn(500, new StatusBuilder().withStatus("Failure").withCode(500).withReason("InternalError")
                        .withMessage("etcdserver: request timed out").build())
                .always();

        assertOneLineError(run(T0, "create", "--service", Pki.SERVICE, "--namespace", NS, "--secret", SECRET),
                ExitCodes.FAILED, "cannot read secret " + NS + "/" + SECRET + ": HTTP 403 Forbidden: secrets \"" + SECRET
                        + "\" is forbidden");
        Path caFile = dir.resolve("ca.crt");
        assertThat(run(T0, createOut()).exitCode()).isZero();
        assertOneLineError(run(T0, "patch", "--webhook-config", CONFIG, "--ca-file", caFile.toString()), ExitCodes.FAILED,
                "cannot update mutatingwebhookconfiguration/" + CONFIG + ": HTTP 500 InternalError: etcdserver: request timed out");
    }

    @Test
    void apiConnectionFailureIsAOneLineFailure() throws Exception {
        // A loopback "API server" that hangs up on every connection.
        try (java.net.ServerSocket hangUp = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!hangUp.isClosed()) {
                    try {
                        hangUp.accept().close();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            acceptor.start();
            try (var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                    new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:" + hangUp.getLocalPort())
                            .withRequestRetryBackoffLimit(0).build()).build()) {
                CommandLine commandLine = CertsCommandLine.create(
                        new CliEnvironment(Clock.fixed(T0, ZoneOffset.UTC), () -> client));
                StringWriter err = new StringWriter();
                commandLine.setErr(new PrintWriter(err, true));
                commandLine.setOut(new PrintWriter(new StringWriter(), true));

                int exitCode = commandLine.execute("check", "--secret", SECRET, "--namespace", NS);

                assertThat(exitCode).isEqualTo(ExitCodes.FAILED);
                assertThat(err.toString()).startsWith("error: cannot read secret " + NS + "/" + SECRET + ": ")
                        .doesNotContain("\tat ").hasLineCount(1);
            } finally {
                hangUp.close();
                acceptor.join(10_000);
            }
        }
    }

    /** The API calls the tool makes are exactly the ones RbacRules.CERTS grants (which deploy/ turns into a Role). */
    @Test
    void apiCallsStayWithinTheDeclaredRbacRules() throws Exception {
        api.client.resource(WebhookFixtures.mutating(CONFIG, "pods.activemq-ha.io")).create();
        api.client.resource(new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIG).endMetadata()
                .addNewWebhook().withName("v.activemq-ha.io").withAdmissionReviewVersions("v1").withSideEffects("None")
                .withNewClientConfig().withUrl("https://127.0.0.1/validate").endClientConfig().endWebhook().build()).create();
        api.drainRequests();

        String[] create = {"create", "--service", Pki.SERVICE, "--namespace", NS, "--secret", SECRET};
        assertThat(run(T0, create).exitCode()).isZero();
        assertThat(run(T0.plus(Pki.days(300)), create).exitCode()).isZero(); // renewal: an update
        Instant later = T0.plus(Pki.days(300));
        assertThat(run(later, "patch", "--webhook-config", CONFIG, "--validating-config", CONFIG,
                "--secret", SECRET, "--namespace", NS).exitCode()).isZero();
        assertThat(run(later, "check", "--secret", SECRET, "--namespace", NS, "--webhook-config", CONFIG,
                "--validating-config", CONFIG).exitCode()).isZero();

        Map<String, Set<String>> used = new HashMap<>();
        for (String request : api.drainRequests()) {
            String[] methodAndPath = request.split(" ", 2);
            used.computeIfAbsent(resource(methodAndPath[1]), key -> new HashSet<>()).add(verb(methodAndPath[0]));
        }
        assertThat(used).isEqualTo(RbacRules.CERTS);
    }

    private static String resource(String path) {
        List<String> segments = List.of(path.split("\\?")[0].split("/"));
        int namespaces = segments.indexOf("namespaces");
        return namespaces >= 0 ? segments.get(namespaces + 2) : segments.get(segments.get(1).equals("api") ? 3 : 4);
    }

    private static String verb(String method) {
        return switch (method) {
            case "GET" -> "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> method;
        };
    }
}
