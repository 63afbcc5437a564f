package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.InstallNames;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart deploy/helm/activemq-ha installs, upgrades and uninstalls on the real API server, from its directory (no
 * chart repository). First of all scenarios: the chart owns the same cluster-wide names as deploy/install, which the
 * later scenarios apply with kubectl, so it must find them absent and leave nothing behind. No node runs here, so
 * nothing waits for pods: the test checks the objects the API server holds.
 */
@ExtendWith(E2eExtension.class)
@Order(0)
class HelmIT {
    private static final String RELEASE = "activemq-ha";
    // The chart creates (and on uninstall deletes) its own namespace, so helm keeps the release record elsewhere.
    private static final String RELEASE_NAMESPACE = "default";
    private static final Duration DELETION = Duration.ofSeconds(120);

    private final ControlPlane plane;
    private final KubernetesClient client;
    private final Helm helm;
    private final Path chart = E2eSettings.projectRoot().resolve("deploy/helm/activemq-ha");

    HelmIT(ControlPlane plane) {
        this.plane = plane;
        this.client = plane.client();
        this.helm = new Helm(Helm.defaultBinary(), plane.adminKubeconfig());
    }

    @Test
    void installsUpgradesAndUninstallsLeavingNothing() {
        helm.succeed("install", RELEASE, chart.toString(), "--namespace", RELEASE_NAMESPACE);

        List<HasMetadata> installed = manifest();
        assertThat(installed).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .contains("Namespace/" + InstallNames.NAMESPACE, "Deployment/" + InstallNames.WEBHOOK,
                        "MutatingWebhookConfiguration/" + InstallNames.WEBHOOK, "Job/activemq-ha-certs",
                        "ValidatingAdmissionPolicy/" + InstallNames.LABELER_POLICY);
        assertThat(missing(installed)).as("objects of the release that the API server does not hold").isEmpty();
        assertThat(webhookDeployment().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "Helm").containsEntry("app.kubernetes.io/instance", RELEASE);
        assertThat(webhookDeployment().getSpec().getReplicas()).isEqualTo(2);
        assertThat(webhookConfiguration().getWebhooks().get(0).getFailurePolicy()).isEqualTo("Fail");
        // The real controllers act on what helm created: the Deployment's pods exist (Pending: no kubelet).
        Await.untilTrue("2 pods of the webhook Deployment", Duration.ofSeconds(60), () -> webhookPods() == 2,
                () -> plane.kubectl("get", "all", "-n", InstallNames.NAMESPACE).stdout());
        String certsJob = certsJob().getMetadata().getUid();

        helm.succeed("upgrade", RELEASE, chart.toString(), "--namespace", RELEASE_NAMESPACE,
                "--set", "webhook.replicas=3", "--set", "mutatingWebhook.failurePolicy=Ignore");

        assertThat(webhookDeployment().getSpec().getReplicas()).isEqualTo(3);
        assertThat(webhookConfiguration().getWebhooks().get(0).getFailurePolicy()).isEqualTo("Ignore");
        assertThat(certsJob().getMetadata().getUid()).as("the certs Job, untouched by an upgrade that does not change it")
                .isEqualTo(certsJob);
        assertThat(helm.succeed("history", RELEASE, "--namespace", RELEASE_NAMESPACE, "--max", "1", "-o", "json"))
                .contains("\"revision\":2").contains("\"status\":\"deployed\"");
        Await.untilTrue("3 pods of the webhook Deployment", Duration.ofSeconds(60), () -> webhookPods() == 3,
                () -> plane.kubectl("get", "all", "-n", InstallNames.NAMESPACE).stdout());
        List<HasMetadata> upgraded = manifest();

        uninstallLeavingNothing(installed, upgraded);
    }

    @Test
    void installsWithoutRbacProvisioningHoldingNoWebhookRbacOrToken() {
        helm.succeed("install", RELEASE, chart.toString(), "--namespace", RELEASE_NAMESPACE,
                "--set", "rbac.provisionLabelerRbac=false");

        List<HasMetadata> installed = manifest();
        assertThat(missing(installed)).as("objects of the release that the API server does not hold").isEmpty();
        assertThat(client.rbac().clusterRoles().withName(InstallNames.WEBHOOK).get()).isNull();
        assertThat(client.rbac().clusterRoleBindings().withName(InstallNames.WEBHOOK).get()).isNull();
        assertThat(webhookDeployment().getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(webhookDeployment().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .contains("--provision-rbac=false");

        uninstallLeavingNothing(installed);
    }

    /**
     * Whatever a failed test left behind goes, so that the scenarios after this class apply deploy/install on a
     * cluster without the chart's objects.
     */
    @AfterEach
    void removeAnyRelease() {
        helm.run("uninstall", RELEASE, "--namespace", RELEASE_NAMESPACE, "--ignore-not-found");
        Await.untilTrue("namespace " + InstallNames.NAMESPACE + " deleted", DELETION,
                () -> client.namespaces().withName(InstallNames.NAMESPACE).get() == null,
                () -> plane.kubectl("get", "all", "-n", InstallNames.NAMESPACE).stdout());
    }

    /** Uninstalls the release and waits until none of the objects it had (in any revision) and no record is left. */
    @SafeVarargs
    private void uninstallLeavingNothing(List<HasMetadata>... revisions) {
        helm.succeed("uninstall", RELEASE, "--namespace", RELEASE_NAMESPACE);

        List<HasMetadata> objects = java.util.Arrays.stream(revisions).flatMap(List::stream).toList();
        Await.untilTrue("every object of the release deleted", DELETION, () -> present(objects).isEmpty(),
                () -> "still present: " + present(objects));
        Await.untilTrue("namespace " + InstallNames.NAMESPACE + " deleted with everything in it", DELETION,
                () -> client.namespaces().withName(InstallNames.NAMESPACE).get() == null,
                () -> plane.kubectl("get", "all", "-n", InstallNames.NAMESPACE).stdout());
        assertThat(client.secrets().inNamespace(RELEASE_NAMESPACE).withLabel("owner", "helm").list().getItems())
                .as("helm's release records").isEmpty();
        assertThat(helm.succeed("list", "--all-namespaces", "-q")).as("helm list -A").isBlank();
    }

    /** The objects of the deployed release, as helm recorded them. */
    private List<HasMetadata> manifest() {
        String yaml = helm.succeed("get", "manifest", RELEASE, "--namespace", RELEASE_NAMESPACE);
        return client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    }

    private List<String> missing(List<HasMetadata> objects) {
        return objects.stream().filter(o -> client.resource(o).get() == null).map(HelmIT::id).toList();
    }

    private List<String> present(List<HasMetadata> objects) {
        return objects.stream().filter(o -> client.resource(o).get() != null).map(HelmIT::id).toList();
    }

    private static String id(HasMetadata object) {
        return object.getKind() + "/" + object.getMetadata().getName();
    }

    private Deployment webhookDeployment() {
        return client.apps().deployments().inNamespace(InstallNames.NAMESPACE).withName(InstallNames.WEBHOOK).get();
    }

    private MutatingWebhookConfiguration webhookConfiguration() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(InstallNames.WEBHOOK).get();
    }

    private Job certsJob() {
        return client.batch().v1().jobs().inNamespace(InstallNames.NAMESPACE).withName("activemq-ha-certs").get();
    }

    private int webhookPods() {
        return client.pods().inNamespace(InstallNames.NAMESPACE).withLabel("app.kubernetes.io/name", InstallNames.WEBHOOK)
                .list().getItems().size();
    }
}
