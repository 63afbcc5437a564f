package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gate before writing, and the check verdict, on deliberately broken material. */
class MaterialValidatorAndCheckTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void goodMaterialPasses() {
        CertificateMaterial material = Pki.fresh(T0);

        assertThat(MaterialValidator.problems(material, Pki.REQUEST, T0)).isEmpty();
        assertThat(MaterialCheck.check(ExistingMaterial.of(material), Optional.of(Pki.REQUEST.hosts()), Duration.ofDays(30), T0)
                .passed()).isTrue();
    }

    @Test
    void everyKindOfInconsistencyIsNamedBeforeAnythingIsWritten() {
        CertificateMaterial material = Pki.fresh(T0);
        CertificateMaterial other = Pki.fresh(T0);
        CertificateMaterial mixed = new CertificateMaterial(List.of(material.signer().certificate()),
                new CertificateAuthority(other.signer().certificate(), material.signer().privateKey()),
                new ServingCertificate(other.leaf().certificate(), material.leaf().privateKey()));
        CertificateRequest otherNames = CertificateRequest.forService("other", Pki.NAMESPACE, List.of(), KeyAlgorithm.EC_P256);

        assertThat(MaterialValidator.problems(mixed, otherNames, T0)).containsExactly(
                "the CA key does not belong to the CA certificate",
                "the bundle lacks the current CA",
                "tls.key does not belong to tls.crt",
                "tls.crt does not chain to ca.crt: not signed by any CA in the bundle",
                "tls.crt names [activemq-ha-webhook, activemq-ha-webhook.activemq-ha, activemq-ha-webhook.activemq-ha.svc,"
                        + " activemq-ha-webhook.activemq-ha.svc.cluster.local], not the requested [other, other.activemq-ha,"
                        + " other.activemq-ha.svc, other.activemq-ha.svc.cluster.local]");
        assertThatThrownBy(() -> MaterialValidator.requireValid(mixed, otherNames, T0))
                .isInstanceOf(CertsException.class).hasMessageStartingWith("refusing to write invalid material: ");
    }

    @Test
    void aCaCertificateIsNotAServingCertificate() {
        CertificateMaterial material = Pki.fresh(T0);
        CertificateMaterial caAsLeaf = new CertificateMaterial(material.caBundle(), material.signer(),
                new ServingCertificate(material.signer().certificate(), material.signer().privateKey()));

        assertThat(MaterialValidator.problems(caAsLeaf, Pki.REQUEST, T0))
                .contains("tls.crt is not a serving certificate (CA:FALSE, serverAuth)");
        assertThat(MaterialCheck.check(ExistingMaterial.of(caAsLeaf), Optional.empty(), Duration.ZERO, T0).findings())
                .contains(new CheckReport.Finding(CheckReport.Status.FAIL,
                        "not a serving certificate (needs CA:FALSE and extended key usage serverAuth)"));
    }

    @Test
    void anExpiredPreviousCaIsListedButDoesNotFailTheCheck() {
        CertificateMaterial old = Pki.fresh(T0);
        CertificateMaterial current = Pki.fresh(T0.plus(Pki.days(3500)));
        ExistingMaterial both = new ExistingMaterial(List.of(current.signer().certificate(), old.signer().certificate()),
                Optional.empty(), Optional.of(current.leaf().certificate()), Optional.of(current.leaf().privateKey()));

        CheckReport report = MaterialCheck.check(both, Optional.empty(), Duration.ofDays(30), T0.plus(Pki.days(3700)));

        assertThat(report.passed()).as(report.findings().toString()).isTrue();
        assertThat(report.findings()).anySatisfy(finding -> assertThat(finding.line())
                .startsWith("OK       CA " + Certificates.subject(old.signer().certificate())).contains("EXPIRED"));
    }

    @Test
    void anIssuingCaNearItsEndFailsTheCheckAsExpiring() {
        RenewalPolicy shortCa = new RenewalPolicy(Pki.days(60), Pki.days(50), Optional.empty(), Optional.of(Pki.days(1)),
                Duration.ZERO);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), Pki.REQUEST, shortCa, T0);

        CheckReport report = MaterialCheck.check(ExistingMaterial.of(material), Optional.empty(), Duration.ofDays(20),
                T0.plus(Pki.days(45)));

        assertThat(report.passed()).isFalse();
        assertThat(report.findings()).filteredOn(finding -> finding.status() == CheckReport.Status.EXPIRING).hasSize(2);
    }
}
