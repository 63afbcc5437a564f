package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.certs.kube.SecretStore;
import io.activemqha.certs.store.DirectoryStore;
import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code create --secret} against the fabric8 mock API server (CRUD mode). */
class SecretStoreTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String NS = Pki.NAMESPACE;
    private static final String NAME = "activemq-ha-webhook-tls";

    private final MockApi api = new MockApi();

    @TempDir
    Path out;

    @AfterEach
    void close() {
        api.close();
    }

    private SecretStore store() {
        return SecretStore.withDefaultCaSecret(api.client, NS, NAME);
    }

    private Provisioner.Outcome create(Instant now) {
        return new Provisioner(store(), Optional.empty()).run(Pki.REQUEST, RenewalPolicy.defaults(), now);
    }

    private Secret secret(String name) {
        return api.client.secrets().inNamespace(NS).withName(name).get();
    }

    private static String text(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void createsATlsSecretWithTheBundleAndASeparateCaKeySecret() throws Exception {
        Provisioner.Outcome outcome = create(T0);

        Secret serving = secret(NAME);
        assertThat(serving.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(serving.getData()).containsOnlyKeys("ca.crt", "tls.crt", "tls.key");
        assertThat(serving.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        assertThat(Pem.decodeCertificates(text(serving, "tls.crt"))).containsExactly(outcome.material().leaf().certificate());
        assertThat(Pem.decodeCertificates(text(serving, "ca.crt"))).containsExactlyElementsOf(outcome.material().caBundle());
        Secret ca = secret(NAME + "-ca");
        assertThat(ca.getType()).isEqualTo("Opaque");
        assertThat(ca.getData()).containsOnlyKeys("ca.key");
        assertThat(Pem.decodePrivateKey(text(ca, "ca.key"))).isEqualTo(outcome.material().signer().privateKey());
        assertThat(outcome.written()).containsExactly(
                "created secret " + NS + "/" + NAME + "-ca [ca.key]",
                "created secret " + NS + "/" + NAME + " [ca.crt, tls.crt, tls.key]");
    }

    @Test
    void rerunWritesNothing() throws Exception {
        create(T0);
        String version = secret(NAME).getMetadata().getResourceVersion();
        api.drainRequests();

        Provisioner.Outcome again = create(T0.plus(Pki.days(10)));

        assertThat(again.written()).isEmpty();
        assertThat(api.drainWrites()).isEmpty();
        assertThat(secret(NAME).getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void renewalUpdatesTheLeafAndKeepsForeignKeysAndLabels() throws Exception {
        Provisioner.Outcome first = create(T0);
        api.client.secrets().inNamespace(NS).withName(NAME).edit(secret -> new SecretBuilder(secret)
                .editMetadata().addToLabels("team", "messaging").endMetadata()
                .addToData("extra", Base64.getEncoder().encodeToString("keep me".getBytes(StandardCharsets.UTF_8)))
                .build());
        api.drainRequests();

        Provisioner.Outcome renewed = create(T0.plus(Pki.days(300)));

        assertThat(renewed.plan().issueLeaf()).isTrue();
        assertThat(renewed.written()).containsExactly("updated secret " + NS + "/" + NAME + " [ca.crt, tls.crt, tls.key]");
        assertThat(api.drainWrites()).singleElement().asString().startsWith("PUT /api/v1/namespaces/" + NS + "/secrets/" + NAME);
        Secret serving = secret(NAME);
        assertThat(text(serving, "extra")).isEqualTo("keep me");
        assertThat(serving.getMetadata().getLabels()).containsEntry("team", "messaging");
        assertThat(first.material().signer().signed(Pem.decodeCertificates(text(serving, "tls.crt")).get(0))).isTrue();
    }

    @Test
    void secretOfTheWrongTypeIsAnErrorAndLeftUntouched() {
        Secret opaque = api.client.secrets().inNamespace(NS).resource(new SecretBuilder()
                .withNewMetadata().withName(NAME).endMetadata().withType("Opaque")
                .addToData("tls.crt", Base64.getEncoder().encodeToString("precious".getBytes(StandardCharsets.UTF_8)))
                .build()).create();

        assertThatThrownBy(() -> create(T0))
                .isInstanceOf(CertsException.class)
                .hasMessage("secret " + NS + "/" + NAME + " has type Opaque, expected kubernetes.io/tls; it was left untouched");
        assertThat(secret(NAME)).isEqualTo(opaque);
        assertThat(secret(NAME + "-ca")).isNull();
    }

    @Test
    void caSecretOfTheWrongTypeIsAnErrorAndNothingIsWritten() {
        Secret tls = api.client.secrets().inNamespace(NS).resource(new SecretBuilder()
                .withNewMetadata().withName(NAME + "-ca").endMetadata().withType("kubernetes.io/tls")
                .addToData("tls.crt", "").addToData("tls.key", "").build()).create();

        assertThatThrownBy(() -> create(T0))
                .isInstanceOf(CertsException.class)
                .hasMessage("secret " + NS + "/" + NAME + "-ca has type kubernetes.io/tls, expected Opaque; it was left untouched");
        assertThat(secret(NAME + "-ca")).isEqualTo(tls);
        assertThat(secret(NAME)).isNull();
    }

    @Test
    void certManagerSecretIsNotFought() {
        api.client.secrets().inNamespace(NS).resource(new SecretBuilder()
                .withNewMetadata().withName(NAME).addToAnnotations(SecretStore.CERT_MANAGER_ANNOTATION, "webhook-cert")
                .endMetadata().withType("kubernetes.io/tls").build()).create();

        assertThatThrownBy(() -> create(T0))
                .isInstanceOf(CertsException.class)
                .hasMessageContaining("is managed by cert-manager (Certificate webhook-cert)");
    }

    @Test
    void emptyPlaceholderSecretIsFilled() {
        api.client.secrets().inNamespace(NS).resource(new SecretBuilder()
                .withNewMetadata().withName(NAME).endMetadata().withType("kubernetes.io/tls")
                .addToData("tls.crt", "").addToData("tls.key", "").build()).create();

        Provisioner.Outcome outcome = create(T0);

        assertThat(outcome.written()).contains("updated secret " + NS + "/" + NAME + " [ca.crt, tls.crt, tls.key]");
        assertThat(Pem.decodeCertificates(text(secret(NAME), "tls.crt"))).containsExactly(outcome.material().leaf().certificate());
    }

    @Test
    void damagedSecretIsAnErrorAndLeftUntouched() {
        create(T0);
        Secret damaged = api.client.secrets().inNamespace(NS).withName(NAME).edit(secret -> new SecretBuilder(secret)
                .addToData("tls.key", Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.UTF_8))).build());

        assertThatThrownBy(() -> create(T0.plus(Pki.days(300))))
                .isInstanceOf(CertsException.class)
                .hasMessageStartingWith("secret " + NS + "/" + NAME + ": tls.key: ");
        assertThat(secret(NAME)).isEqualTo(damaged);
    }

    @Test
    void concurrentChangeMakesTheWriteFailInsteadOfOverwriting() {
        create(T0);
        SecretStore store = store();
        var snapshot = store.load();
        Secret changed = api.client.secrets().inNamespace(NS).withName(NAME).edit(secret -> new SecretBuilder(secret)
                .editMetadata().addToAnnotations("touched", "by someone else").endMetadata().build());
        CertificateMaterial other = Pki.fresh(T0);

        assertThatThrownBy(() -> store.save(snapshot, other.toStored()))
                .isInstanceOf(CertsException.class)
                .hasMessageContaining("changed since it was read");
        assertThat(secret(NAME)).isEqualTo(changed);
    }

    @Test
    void outDirectoryMirrorsTheSecretAndIsWrittenOnlyWhenItDiffers() throws Exception {
        Provisioner provisioner = new Provisioner(store(), Optional.of(new DirectoryStore(out)));
        Provisioner.Outcome first = provisioner.run(Pki.REQUEST, RenewalPolicy.defaults(), T0);
        assertThat(first.written()).hasSize(6);
        assertThat(Files.readString(out.resolve("tls.crt"))).isEqualTo(text(secret(NAME), "tls.crt"));

        Provisioner.Outcome second = provisioner.run(Pki.REQUEST, RenewalPolicy.defaults(), T0.plus(Pki.days(1)));
        assertThat(second.written()).isEmpty();

        Files.delete(out.resolve("tls.key"));
        String version = secret(NAME).getMetadata().getResourceVersion();
        Provisioner.Outcome repaired = provisioner.run(Pki.REQUEST, RenewalPolicy.defaults(), T0.plus(Pki.days(2)));
        assertThat(repaired.written()).containsExactly(out.resolve("tls.key").toString());
        assertThat(Files.readString(out.resolve("tls.key"))).isEqualTo(text(secret(NAME), "tls.key"));
        assertThat(secret(NAME).getMetadata().getResourceVersion()).isEqualTo(version);
    }
}
