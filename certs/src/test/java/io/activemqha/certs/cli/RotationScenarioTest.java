package io.activemqha.certs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.certs.MockApi;
import io.activemqha.certs.Pem;
import io.activemqha.certs.Pki;
import io.activemqha.certs.WebhookFixtures;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Ten years of the renewal CronJob (create, then patch) at the instants where something happens, against the mock
 * API: after every run the webhook configuration's caBundle trusts the serving certificate in the Secret
 * ({@code check --webhook-config}), and each step does what docs/certs.md says.
 */
class RotationScenarioTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String NS = Pki.NAMESPACE;
    private static final String SECRET = "activemq-ha-webhook-tls";
    private static final String CONFIG = "activemq-ha-webhook";

    private final MockApi api = new MockApi();

    @AfterEach
    void close() {
        api.close();
    }

    private String cronJob(Instant now) {
        String create = run(now, "create", "--service", Pki.SERVICE, "--namespace", NS, "--secret", SECRET);
        String patch = run(now, "patch", "--webhook-config", CONFIG, "--secret", SECRET, "--namespace", NS);
        String check = run(now, "check", "--secret", SECRET, "--namespace", NS, "--service", Pki.SERVICE,
                "--webhook-config", CONFIG, "--warn-before", "0s");
        assertThat(check).as("check at %s", now).endsWith("valid\n").doesNotContain("FAIL");
        return create + patch;
    }

    private String run(Instant now, String... args) {
        CommandLine commandLine = CertsCommandLine.create(new CliEnvironment(Clock.fixed(now, ZoneOffset.UTC), () -> api.client));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        assertThat(exitCode).as("%s at %s: %s%s", String.join(" ", args), now, out, err).isZero();
        return out.toString();
    }

    private List<X509Certificate> bundle() {
        Secret secret = api.client.secrets().inNamespace(NS).withName(SECRET).get();
        return Pem.decodeCertificates(new String(Base64.getDecoder().decode(secret.getData().get("ca.crt")), StandardCharsets.UTF_8));
    }

    private X509Certificate leaf() {
        Secret secret = api.client.secrets().inNamespace(NS).withName(SECRET).get();
        return Pem.decodeCertificates(new String(Base64.getDecoder().decode(secret.getData().get("tls.crt")), StandardCharsets.UTF_8)).get(0);
    }

    private List<X509Certificate> caBundleInWebhook() {
        return WebhookFixtures.caBundleOf(api.client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(CONFIG).get().getWebhooks().get(0).getClientConfig());
    }

    @Test
    void tenYearsOfDailyRenewalRunsNeverBreakTrust() {
        api.client.resource(WebhookFixtures.mutating(CONFIG, "pods.activemq-ha.io")).create();

        // Install.
        assertThat(cronJob(T0)).contains("there is no CA yet", "caBundle updated in 1 of 1");
        X509Certificate firstCa = bundle().get(0);
        assertThat(caBundleInWebhook()).containsExactly(firstCa);

        // Daily runs write nothing until the leaf's renewal window (a third of its year).
        assertThat(cronJob(T0.plus(Pki.days(200)))).contains("no write", "nothing written");
        assertThat(cronJob(T0.plus(Pki.days(250)))).contains("within its renewal window", "nothing written");
        assertThat(bundle()).containsExactly(firstCa);

        // Six-odd years on, the CA enters its rotation window (a third of ten years): publish the new CA first.
        Instant rotation = T0.plus(Pki.days(3650 - 1210));
        // The years of daily runs in between are skipped (each would renew in its window); this run, 130 days before
        // the rotation, finds the leaf long expired and renews it under the same CA.
        assertThat(cronJob(rotation.minus(Pki.days(130)))).contains("expired");
        X509Certificate leafBefore = leaf();
        String rotated = cronJob(rotation);
        assertThat(rotated).contains("rotation window", "stays on the previous CA", "caBundle updated in 1 of 1");
        List<X509Certificate> both = bundle();
        assertThat(both).hasSize(2).endsWith(firstCa);
        assertThat(caBundleInWebhook()).isEqualTo(both);
        assertThat(leaf()).isEqualTo(leafBefore);

        // The next day the leaf moves to the new CA; the bundle is unchanged, so patch writes nothing.
        String moved = cronJob(rotation.plus(Pki.days(1)));
        assertThat(moved).contains("moves from the previous CA", "nothing written");
        assertThat(leaf()).isNotEqualTo(leafBefore);
        assertThat(bundle()).isEqualTo(both);

        // Years later the old CA expires and leaves the bundle (and the caBundle) on the next run.
        assertThat(cronJob(T0.plus(Pki.days(3649)))).doesNotContain("drops");
        String dropped = cronJob(T0.plus(Pki.days(3651)));
        assertThat(dropped).contains("the bundle drops expired", "caBundle updated in 1 of 1");
        assertThat(bundle()).containsExactly(both.get(0));
        assertThat(caBundleInWebhook()).containsExactly(both.get(0));
    }
}
