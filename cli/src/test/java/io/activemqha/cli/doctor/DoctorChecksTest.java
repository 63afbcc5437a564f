package io.activemqha.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.certs.CertificateAuthority;
import io.activemqha.certs.CertificateMaterial;
import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.ServiceHosts;
import io.activemqha.certs.ServingCertificate;
import io.activemqha.certs.Validity;
import io.activemqha.cli.doctor.DoctorReport.Finding;
import io.activemqha.cli.doctor.DoctorReport.Severity;
import io.activemqha.common.Annotations;
import io.activemqha.common.InstallNames;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class DoctorChecksTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final String NS = "mq";
    private static final MutatingWebhook SHIPPED = ShippedWebhook.entry();
    private static final CertificateAuthority CA = CertificateAuthority.create("test-ca",
            Validity.startingAt(NOW.minus(Duration.ofDays(1)), Duration.ofDays(365)), KeyAlgorithm.EC_P256);
    private static final ServingCertificate LEAF = CA.issueServing(
            ServiceHosts.of(InstallNames.WEBHOOK, InstallNames.NAMESPACE, List.of()),
            Validity.startingAt(NOW.minus(Duration.ofDays(1)), Duration.ofDays(90)), KeyAlgorithm.EC_P256);

    private final DoctorChecks checks = new DoctorChecks(SHIPPED, Duration.ofDays(30));

    @Test
    void theShippedManifestIsPackagedAndFailsClosedOnOptedInPods() {
        assertThat(SHIPPED.getFailurePolicy()).isEqualTo("Fail");
        assertThat(SHIPPED.getMatchConditions()).singleElement()
                .satisfies(c -> assertThat(c.getExpression()).contains("'activemq-ha' in object.metadata.annotations"));
    }

    @Test
    void aHealthyInstallPassesEveryCheck() {
        DoctorReport report = checks.check(healthy().build());

        assertThat(report.problems()).isEmpty();
        assertThat(report.healthy()).isTrue();
        assertThat(report.findings()).extracting(Finding::check).contains("webhook-configuration",
                "webhook-failure-policy", "webhook-match-conditions", "webhook-certificate", "webhook-ca-bundle",
                "webhook-endpoints", "labeler-policy", "labeler-rbac", "pod-injection", "service-selector");
    }

    @Test
    void aCaBundleFromAnotherCaIsAProblem() {
        CertificateAuthority other = CertificateAuthority.create("other-ca",
                Validity.startingAt(NOW.minus(Duration.ofDays(1)), Duration.ofDays(365)), KeyAlgorithm.EC_P256);
        DoctorReport report = checks.check(healthy().webhook(w -> new MutatingWebhookBuilder(w).editClientConfig()
                .withCaBundle(base64(other.certificatePem())).endClientConfig().build()).build());

        assertThat(report.problems()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("webhook-ca-bundle");
            assertThat(f.message()).contains("does not trust the serving certificate");
            assertThat(f.fix()).contains("create job --from=cronjob/");
        });
    }

    @Test
    void aMissingRoleBindingIsAProblemOfItsNamespace() {
        Fixture fixture = healthy();
        fixture.roleBindings.clear();

        assertThat(checks.check(fixture.build()).problems()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("labeler-rbac");
            assertThat(f.message()).contains("namespace " + NS, "RoleBinding " + RbacNames.LABELER_ROLE_BINDING + " is missing");
        });
    }

    @Test
    void settingsThatDifferFromTheShippedManifestAreProblems() {
        DoctorReport report = checks.check(healthy().webhook(w -> new MutatingWebhookBuilder(w)
                .withFailurePolicy("Ignore").withMatchConditions(List.of()).build()).build());

        assertThat(report.problems()).extracting(Finding::check)
                .containsExactly("webhook-failure-policy", "webhook-match-conditions");
        assertThat(report.problems().get(0).message()).contains("Ignore", "shipped Fail");
    }

    @Test
    void aCertificateExpiringSoonIsAWarning() {
        DoctorReport report = new DoctorChecks(SHIPPED, Duration.ofDays(120)).check(healthy().build());

        assertThat(report.problems()).isNotEmpty().allSatisfy(f -> {
            assertThat(f.severity()).isEqualTo(Severity.WARNING);
            assertThat(f.check()).isEqualTo("webhook-certificate");
        });
    }

    @Test
    void aMissingWebhookConfigurationAndServiceWithoutReadyEndpointsAreProblems() {
        Fixture noConfiguration = healthy();
        noConfiguration.configuration = Optional.empty();
        Fixture noEndpoints = healthy();
        noEndpoints.readyEndpoint = false;

        assertThat(checks.check(noConfiguration.build()).problems()).extracting(Finding::check)
                .containsExactly("webhook-configuration");
        assertThat(checks.check(noEndpoints.build()).problems()).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("no ready endpoint"));
    }

    @Test
    void anAnnotatedPodWithoutTheMarkerIsReportedWithItsLastWarning() {
        Fixture fixture = healthy();
        fixture.pods.add(new PodBuilder(pod("late-0")).editMetadata().removeFromAnnotations(Annotations.INJECTED)
                .endMetadata().build());
        fixture.events.add(new EventBuilder().withNewMetadata().withName("e1").withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName("late-0").endInvolvedObject().withType("Warning")
                .withReason("FailedMount").withMessage("no volume").withLastTimestamp("2026-05-31T00:00:00Z").build());
        fixture.events.add(new EventBuilder().withNewMetadata().withName("e2").withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind("ReplicaSet").withName("mq-1").endInvolvedObject().withType("Warning")
                .withReason(DoctorChecks.FAILED_CREATE).withMessage("Internal error occurred: failed calling webhook \""
                        + InstallNames.WEBHOOK_ENTRY + "\": connection refused").build());

        List<Finding> problems = checks.check(fixture.build()).problems();

        assertThat(problems).extracting(Finding::check).containsExactly("pod-injection", "pod-injection");
        assertThat(problems.get(0).message()).contains("pod mq/late-0", "not injected", "FailedMount: no volume");
        assertThat(problems.get(1).message()).contains("ReplicaSet mq/mq-1 could not create a pod", "connection refused");
    }

    @Test
    void aServiceWhoseSelectorMatchesNoInjectedPodIsAProblem() {
        Fixture fixture = healthy();
        fixture.services.add(new ServiceBuilder().withNewMetadata().withName("typo").withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "activemqq", Labels.LEADER, Labels.LEADER_YES)).endSpec().build());

        assertThat(checks.check(fixture.build()).problems()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("service-selector");
            assertThat(f.message()).contains("Service mq/typo", "no injected pod matches");
        });
    }

    private static Fixture healthy() {
        return new Fixture();
    }

    /** A healthy install, each part replaceable. */
    private static final class Fixture {
        Optional<MutatingWebhookConfiguration> configuration = Optional.of(new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(InstallNames.WEBHOOK).endMetadata()
                .withWebhooks(new MutatingWebhookBuilder(SHIPPED).editClientConfig()
                        .withCaBundle(base64(CA.certificatePem())).endClientConfig().build())
                .build());
        boolean readyEndpoint = true;
        final List<Pod> pods = new ArrayList<>(List.of(pod("mq-0"), pod("mq-1")));
        final List<RoleBinding> roleBindings = new ArrayList<>(List.of(new RoleBindingBuilder().withNewMetadata()
                .withName(RbacNames.LABELER_ROLE_BINDING).withNamespace(NS).endMetadata()
                .withNewRoleRef().withKind("ClusterRole").withName(RbacNames.LABELER_CLUSTER_ROLE).endRoleRef().build()));
        final List<Service> services = new ArrayList<>(List.of(new ServiceBuilder().withNewMetadata().withName("mq")
                .withNamespace(NS).endMetadata().withNewSpec()
                .withSelector(Map.of("app", "mq", Labels.LEADER, Labels.LEADER_YES)).endSpec().build()));
        final List<Event> events = new ArrayList<>();

        Fixture webhook(UnaryOperator<MutatingWebhook> change) {
            MutatingWebhookConfiguration current = configuration.orElseThrow();
            configuration = Optional.of(new MutatingWebhookConfigurationBuilder(current)
                    .withWebhooks(change.apply(current.getWebhooks().get(0))).build());
            return this;
        }

        DoctorSnapshot build() {
            Secret secret = new SecretBuilder().withNewMetadata().withName(InstallNames.WEBHOOK_TLS_SECRET)
                    .withNamespace(InstallNames.NAMESPACE).endMetadata()
                    .withData(encode(new CertificateMaterial(List.of(CA.certificate()), CA, LEAF).toStored().texts()))
                    .build();
            Service webhookService = new ServiceBuilder().withNewMetadata().withName(InstallNames.WEBHOOK)
                    .withNamespace(InstallNames.NAMESPACE).endMetadata().build();
            return new DoctorSnapshot(NOW, configuration, Optional.of(secret), Optional.of(webhookService),
                    List.of(new EndpointSliceBuilder().withNewMetadata().withName("w").endMetadata().addNewEndpoint()
                            .withAddresses("10.0.0.9").withNewConditions().withReady(readyEndpoint).endConditions()
                            .endEndpoint().build()),
                    Set.copyOf(InstallNames.LABELER_POLICIES),
                    Set.copyOf(InstallNames.LABELER_POLICIES), true, pods,
                    List.of(new ServiceAccountBuilder().withNewMetadata().withName(RbacNames.LABELER_SERVICE_ACCOUNT)
                            .withNamespace(NS).endMetadata().build()),
                    roleBindings, services, events);
        }
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("app", "mq").addToLabels(Labels.GROUP, "mq").addToLabels(Labels.LEADER, Labels.LEADER_NO)
                .addToAnnotations(Annotations.ENABLED, "true").addToAnnotations(Annotations.INJECTED, "0.1.0")
                .endMetadata().build();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> encode(Map<String, String> texts) {
        Map<String, String> data = new java.util.HashMap<>();
        texts.forEach((k, v) -> data.put(k, base64(v)));
        return data;
    }
}
