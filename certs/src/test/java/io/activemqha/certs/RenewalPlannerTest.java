package io.activemqha.certs;

import static io.activemqha.certs.Pki.REQUEST;
import static io.activemqha.certs.Pki.days;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The keep / renew-leaf / rotate-CA decisions, at chosen instants (no sleeping). */
class RenewalPlannerTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final RenewalPolicy DEFAULTS = RenewalPolicy.defaults();

    @Test
    void nothingYetCreatesCaAndLeaf() {
        Plan plan = RenewalPlanner.plan(ExistingMaterial.none(), REQUEST, DEFAULTS, T0);

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.CREATE);
        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.keepsEverything()).isFalse();
    }

    @Test
    void validMaterialOutsideItsWindowIsKept() {
        CertificateMaterial material = Pki.fresh(T0);

        // The default leaf window is a third of 365 days: ~121 days before the end, i.e. from about day 243 on.
        for (Instant now : List.of(T0, T0.plus(days(1)), T0.plus(days(240)))) {
            Plan plan = RenewalPlanner.plan(ExistingMaterial.of(material), REQUEST, DEFAULTS, now);
            assertThat(plan.keepsEverything()).as("at %s: %s", now, plan.reasons()).isTrue();
            assertThat(plan.reasons()).isEmpty();
        }
    }

    @Test
    void leafInItsRenewalWindowIsRenewedUnderTheSameCa() {
        CertificateMaterial material = Pki.fresh(T0);
        Instant now = T0.plus(days(250));

        Plan plan = RenewalPlanner.plan(ExistingMaterial.of(material), REQUEST, DEFAULTS, now);
        CertificateMaterial renewed = MaterialIssuer.apply(plan, ExistingMaterial.of(material), REQUEST, DEFAULTS, now);

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.reasons()).singleElement().asString().contains("within its renewal window");
        assertThat(renewed.caBundle()).containsExactly(material.signer().certificate());
        assertThat(renewed.leaf().certificate()).isNotEqualTo(material.leaf().certificate());
        assertThat(material.signer().signed(renewed.leaf().certificate())).isTrue();
        assertThat(renewed.leaf().certificate().getNotAfter().toInstant()).isEqualTo(now.plus(days(365)));
        // Renewed material is kept by the next run.
        assertThat(RenewalPlanner.plan(ExistingMaterial.of(renewed), REQUEST, DEFAULTS, now.plusSeconds(60))
                .keepsEverything()).isTrue();
    }

    @Test
    void explicitRenewBeforeMovesTheWindow() {
        CertificateMaterial material = Pki.fresh(T0);
        RenewalPolicy thirtyDays = new RenewalPolicy(days(3650), days(365), Optional.of(days(30)), Optional.empty(),
                Duration.ofHours(1));

        assertThat(RenewalPlanner.plan(ExistingMaterial.of(material), REQUEST, thirtyDays, T0.plus(days(334)))
                .keepsEverything()).isTrue();
        assertThat(RenewalPlanner.plan(ExistingMaterial.of(material), REQUEST, thirtyDays, T0.plus(days(336)))
                .issueLeaf()).isTrue();
    }

    @Test
    void expiredLeafIsRenewed() {
        CertificateMaterial material = Pki.fresh(T0);

        Plan plan = RenewalPlanner.plan(ExistingMaterial.of(material), REQUEST, DEFAULTS, T0.plus(days(400)));

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.reasons()).singleElement().asString().contains("expired");
    }

    @Test
    void changedNamesRenewTheLeaf() {
        CertificateMaterial material = Pki.fresh(T0);
        CertificateRequest more = CertificateRequest.forService(Pki.SERVICE, Pki.NAMESPACE, List.of("10.0.0.1"),
                KeyAlgorithm.EC_P256);
        CertificateRequest otherService = CertificateRequest.forService("other", Pki.NAMESPACE, List.of(),
                KeyAlgorithm.EC_P256);

        Plan added = RenewalPlanner.plan(ExistingMaterial.of(material), more, DEFAULTS, T0.plus(days(1)));
        Plan renamed = RenewalPlanner.plan(ExistingMaterial.of(material), otherService, DEFAULTS, T0.plus(days(1)));

        assertThat(added.issueLeaf()).isTrue();
        assertThat(added.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(added.reasons()).singleElement().asString().contains("missing [10.0.0.1]");
        assertThat(renamed.issueLeaf()).isTrue();
        assertThat(renamed.reasons()).singleElement().asString().contains("not requested [activemq-ha-webhook");
    }

    @Test
    void hostsAreComparedCanonically() {
        CertificateRequest ipv6 = CertificateRequest.forService(Pki.SERVICE, Pki.NAMESPACE, List.of("::1", "Extra.Example"),
                KeyAlgorithm.EC_P256);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), ipv6, DEFAULTS, T0);
        CertificateRequest sameNamesSpelledOtherwise = CertificateRequest.forService(Pki.SERVICE, Pki.NAMESPACE,
                List.of("0:0:0:0:0:0:0:1", "extra.example"), KeyAlgorithm.EC_P256);

        assertThat(RenewalPlanner.plan(ExistingMaterial.of(material), sameNamesSpelledOtherwise, DEFAULTS, T0)
                .keepsEverything()).isTrue();
    }

    @Test
    void numericNamespaceNamesAreStable() {
        CertificateRequest numeric = CertificateRequest.forService("webhook", "2024", List.of(), KeyAlgorithm.EC_P256);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), numeric, DEFAULTS, T0);

        assertThat(RenewalPlanner.plan(ExistingMaterial.of(material), numeric, DEFAULTS, T0.plus(days(1)))
                .keepsEverything()).isTrue();
    }

    @Test
    void changedKeyAlgorithmRenewsTheLeafButKeepsTheCa() {
        CertificateMaterial material = Pki.fresh(T0);
        CertificateRequest rsa = new CertificateRequest(REQUEST.hosts(), KeyAlgorithm.RSA_2048);

        Plan plan = RenewalPlanner.plan(ExistingMaterial.of(material), rsa, DEFAULTS, T0.plus(days(1)));

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.reasons()).singleElement().asString().contains("ecdsa-p256, rsa-2048 was requested");
    }

    @Test
    void foreignLeafKeyRenewsTheLeaf() {
        CertificateMaterial material = Pki.fresh(T0);
        CertificateMaterial other = Pki.fresh(T0);
        ExistingMaterial mixed = new ExistingMaterial(material.caBundle(), Optional.of(material.signer().privateKey()),
                Optional.of(material.leaf().certificate()), Optional.of(other.leaf().privateKey()));

        Plan plan = RenewalPlanner.plan(mixed, REQUEST, DEFAULTS, T0);

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.reasons()).singleElement().asString().contains("tls.key does not belong to tls.crt");
    }

    @Test
    void leafOfAnUnknownCaIsRenewed() {
        CertificateMaterial material = Pki.fresh(T0);
        CertificateMaterial other = Pki.fresh(T0);
        ExistingMaterial foreignLeaf = new ExistingMaterial(material.caBundle(),
                Optional.of(material.signer().privateKey()), Optional.of(other.leaf().certificate()),
                Optional.of(other.leaf().privateKey()));

        Plan plan = RenewalPlanner.plan(foreignLeaf, REQUEST, DEFAULTS, T0);

        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.reasons()).singleElement().asString().contains("does not chain to the bundle");
    }

    @Test
    void missingCaKeyRotatesAndKeepsTheStillGoodLeafForNow() {
        CertificateMaterial material = Pki.fresh(T0);
        ExistingMaterial withoutCaKey = new ExistingMaterial(material.caBundle(), Optional.empty(),
                Optional.of(material.leaf().certificate()), Optional.of(material.leaf().privateKey()));

        Plan plan = RenewalPlanner.plan(withoutCaKey, REQUEST, DEFAULTS, T0.plus(days(1)));

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.ROTATE);
        assertThat(plan.issueLeaf()).isFalse();
        assertThat(plan.retainedCas()).containsExactly(material.signer().certificate());
        assertThat(plan.reasons().get(0)).contains("the CA key is missing");
    }

    /**
     * The whole life of a CA: rotation in its window (new CA published first, leaf stays), the leaf moving after
     * the publication delay, the old CA staying in the bundle until it expires, then dropped.
     */
    @Test
    void caRotationIsTwoPhaseAndKeepsTheOldCaUntilItExpires() {
        CertificateMaterial first = Pki.fresh(T0);
        Instant caEnd = T0.plus(days(3650));
        // The default CA window is a third of its lifetime (~1217 days).
        assertThat(RenewalPlanner.plan(ExistingMaterial.of(first), REQUEST, DEFAULTS, caEnd.minus(days(1220)))
                .ca()).isEqualTo(Plan.CaAction.KEEP);

        // Leaf renewals happen under the first CA meanwhile; take the one renewed just before the CA window.
        Instant beforeWindow = caEnd.minus(days(1300));
        CertificateMaterial renewed = Pki.run(ExistingMaterial.of(first), REQUEST, DEFAULTS, beforeWindow);
        assertThat(first.signer().signed(renewed.leaf().certificate())).isTrue();

        Instant rotation = caEnd.minus(days(1210));
        Plan rotate = RenewalPlanner.plan(ExistingMaterial.of(renewed), REQUEST, DEFAULTS, rotation);
        assertThat(rotate.ca()).isEqualTo(Plan.CaAction.ROTATE);
        assertThat(rotate.issueLeaf()).as("the leaf stays until the new CA is published").isFalse();
        assertThat(rotate.reasons()).anySatisfy(reason -> assertThat(reason).contains("rotation window"));
        CertificateMaterial rotated = MaterialIssuer.apply(rotate, ExistingMaterial.of(renewed), REQUEST, DEFAULTS, rotation);
        assertThat(rotated.caBundle()).hasSize(2);
        assertThat(rotated.caBundle().get(0)).isEqualTo(rotated.signer().certificate());
        assertThat(rotated.caBundle().get(1)).isEqualTo(first.signer().certificate());
        assertThat(rotated.leaf()).isEqualTo(renewed.leaf());
        MaterialValidator.requireValid(rotated, REQUEST, rotation);

        // Within the publication delay nothing changes ...
        assertThat(RenewalPlanner.plan(ExistingMaterial.of(rotated), REQUEST, DEFAULTS, rotation.plus(Duration.ofMinutes(30)))
                .keepsEverything()).isTrue();
        // ... after it the leaf moves to the new CA, the old CA staying in the bundle.
        Instant moved = rotation.plus(Duration.ofHours(2));
        Plan move = RenewalPlanner.plan(ExistingMaterial.of(rotated), REQUEST, DEFAULTS, moved);
        assertThat(move.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(move.issueLeaf()).isTrue();
        assertThat(move.reasons()).singleElement().asString().contains("moves from the previous CA");
        CertificateMaterial onNewCa = MaterialIssuer.apply(move, ExistingMaterial.of(rotated), REQUEST, DEFAULTS, moved);
        assertThat(rotated.signer().signed(onNewCa.leaf().certificate())).isTrue();
        assertThat(onNewCa.caBundle()).containsExactlyElementsOf(rotated.caBundle());

        // Until the old CA expires, the material is kept as it is; then the old CA leaves the bundle.
        assertThat(RenewalPlanner.plan(ExistingMaterial.of(onNewCa), REQUEST, DEFAULTS, moved.plus(days(200)))
                .keepsEverything()).isTrue();
        Instant afterOldCa = caEnd.plus(days(1));
        CertificateMaterial latest = Pki.run(ExistingMaterial.of(onNewCa), REQUEST, DEFAULTS, afterOldCa);
        assertThat(latest.caBundle()).containsExactly(rotated.signer().certificate());
        assertThat(RenewalPlanner.plan(ExistingMaterial.of(latest), REQUEST, DEFAULTS, afterOldCa.plusSeconds(1))
                .keepsEverything()).isTrue();
    }

    @Test
    void onlyExpiredOldCaLeavingTheBundleIsAWriteWithoutNewCertificates() {
        CertificateMaterial old = Pki.fresh(T0);
        CertificateMaterial current = Pki.fresh(T0.plus(days(3500)));
        ExistingMaterial both = new ExistingMaterial(List.of(current.signer().certificate(), old.signer().certificate()),
                Optional.of(current.signer().privateKey()), Optional.of(current.leaf().certificate()),
                Optional.of(current.leaf().privateKey()));

        Plan plan = RenewalPlanner.plan(both, REQUEST, DEFAULTS, T0.plus(days(3651)));

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.KEEP);
        assertThat(plan.issueLeaf()).isFalse();
        assertThat(plan.bundleChanges()).isTrue();
        assertThat(plan.retainedCas()).containsExactly(current.signer().certificate());
    }

    @Test
    void expiredCaIsReplacedAndItsLeafRenewed() {
        CertificateMaterial material = Pki.fresh(T0);

        Plan plan = RenewalPlanner.plan(ExistingMaterial.of(material), REQUEST, DEFAULTS, T0.plus(days(3700)));

        assertThat(plan.ca()).isEqualTo(Plan.CaAction.ROTATE);
        assertThat(plan.issueLeaf()).isTrue();
        assertThat(plan.retainedCas()).isEmpty();
    }

    @Test
    void leafNeverOutlivesItsCa() {
        RenewalPolicy shortCa = new RenewalPolicy(days(400), days(365), Optional.empty(), Optional.of(days(10)),
                Duration.ZERO);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), REQUEST, shortCa, T0);
        Instant late = T0.plus(days(300));

        CertificateMaterial renewed = Pki.run(ExistingMaterial.of(material), REQUEST, shortCa, late);

        assertThat(renewed.leaf().certificate().getNotAfter()).isEqualTo(material.signer().certificate().getNotAfter());
    }

    @Test
    void policyRejectsWindowsThatWouldRenewOnEveryRun() {
        assertThatThrownBy(() -> new RenewalPolicy(days(365), days(365), Optional.empty(), Optional.empty(), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be shorter than the CA validity");
        assertThatThrownBy(() -> new RenewalPolicy(days(3650), days(30), Optional.of(days(30)), Optional.empty(), Duration.ZERO))
                .hasMessageContaining("leaf renew-before (30d) must be at least 0 and shorter than the lifetime (30d)");
        assertThatThrownBy(() -> new RenewalPolicy(days(3650), Duration.ZERO, Optional.empty(), Optional.empty(), Duration.ZERO))
                .hasMessageContaining("leaf validity must be positive");
        assertThatThrownBy(() -> new RenewalPolicy(days(10), days(1), Optional.empty(), Optional.of(days(11)), Duration.ZERO))
                .hasMessageContaining("CA renew-before");
    }
}
