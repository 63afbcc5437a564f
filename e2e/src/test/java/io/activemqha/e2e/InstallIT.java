package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.common.InstallNames;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.TypeChecking;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 1: the real API server accepts {@code deploy/install}, compiling the MutatingWebhookConfiguration's
 * matchConditions and type-checking the ValidatingAdmissionPolicy's CEL against the Pod schema. The broken copies
 * prove that the server really compiles what it accepts.
 */
@ExtendWith(E2eExtension.class)
@Order(2)
class InstallIT {
    private final ControlPlane plane;
    private final KubernetesClient client;

    InstallIT(ControlPlane plane) {
        this.plane = plane;
        this.client = plane.client();
    }

    @Test
    void installIsAcceptedAndItsCelCompiles() {
        CommandResult apply = plane.kubectl("apply", "-k", E2eSettings.projectRoot().resolve("deploy/install").toString());

        assertThat(apply.exitCode()).as("kubectl apply -k deploy/install: %s", apply.stderr()).isZero();
        assertThat(apply.stdout())
                .contains("mutatingwebhookconfiguration.admissionregistration.k8s.io/" + InstallNames.WEBHOOK)
                .contains("validatingadmissionpolicy.admissionregistration.k8s.io/" + InstallNames.LABELER_POLICY)
                .contains("validatingadmissionpolicybinding.admissionregistration.k8s.io/" + InstallNames.LABELER_POLICY)
                .contains("deployment.apps/" + InstallNames.WEBHOOK);

        MutatingWebhookConfiguration webhook = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(InstallNames.WEBHOOK).get();
        assertThat(webhook.getWebhooks()).singleElement().satisfies(entry -> {
            assertThat(entry.getName()).isEqualTo(InstallNames.WEBHOOK_ENTRY);
            assertThat(entry.getFailurePolicy()).isEqualTo("Fail");
            assertThat(entry.getMatchConditions()).extracting(MatchCondition::getName)
                    .containsExactly("opted-in-to-activemq-ha");
        });

        for (String name : InstallNames.LABELER_POLICIES) {
            TypeChecking typeChecking = Await.until("type checking of ValidatingAdmissionPolicy " + name,
                    Duration.ofSeconds(60), () -> Optional.ofNullable(policy(name).getStatus())
                            .map(status -> status.getTypeChecking()), () -> String.valueOf(policy(name).getStatus()));
            assertThat(typeChecking.getExpressionWarnings()).as("%s's CEL type-checked against the schema", name)
                    .isEmpty();
        }
        // The webhook's own Deployment is reconciled into pods by the real controllers (Pending: no kubelet).
        Await.untilTrue("pods of the webhook Deployment", Duration.ofSeconds(60),
                () -> client.pods().inNamespace(InstallNames.NAMESPACE).withLabel("app.kubernetes.io/name", InstallNames.WEBHOOK)
                        .list().getItems().size() == 2,
                () -> plane.kubectl("get", "all", "-n", InstallNames.NAMESPACE).stdout());
    }

    @Test
    void apiServerRejectsAMatchConditionThatDoesNotCompile() {
        plane.kubectl().succeed("apply", "-k", E2eSettings.projectRoot().resolve("deploy/install").toString());
        MutatingWebhookConfiguration broken = new MutatingWebhookConfigurationBuilder(
                client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(InstallNames.WEBHOOK).get())
                .editMetadata().withName(InstallNames.WEBHOOK + "-broken").withResourceVersion(null).withUid(null).endMetadata()
                .editFirstWebhook().editFirstMatchCondition()
                // a typo: "objects" is no variable of a webhook match condition
                .withExpression("'activemq-ha' in objects.metadata.annotations").endMatchCondition().endWebhook()
                .build();

        assertThatThrownBy(() -> client.resource(broken).dryRun().create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("matchConditions[0].expression")
                .hasMessageContaining("compilation failed");
    }

    @Test
    void apiServerRejectsAPolicyExpressionThatDoesNotCompile() {
        plane.kubectl().succeed("apply", "-k", E2eSettings.projectRoot().resolve("deploy/install").toString());
        ValidatingAdmissionPolicy broken = new ValidatingAdmissionPolicyBuilder(policy(InstallNames.LABELER_POLICY))
                .editMetadata().withName(InstallNames.LABELER_POLICY + "-broken").withResourceVersion(null).withUid(null)
                .endMetadata()
                .editSpec().editFirstValidation().withExpression("object.spec ==").endValidation().endSpec()
                .withStatus(null)
                .build();

        assertThatThrownBy(() -> client.resource(broken).dryRun().create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
                .hasMessageContaining("validations[0].expression")
                .hasMessageContaining("compilation failed");
    }

    private ValidatingAdmissionPolicy policy(String name) {
        return client.admissionRegistration().v1().validatingAdmissionPolicies().withName(name).get();
    }
}
