package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 2: the example Deployment's pods, created by the real ReplicaSet controller, are admitted through the real
 * webhook over TLS (caBundle from {@code certs patch}) and stored injected; the webhook provisioned the labeler's
 * ServiceAccount and RoleBinding; a server-side dry run provisions nothing.
 */
@ExtendWith(E2eExtension.class)
@Order(3)
class ExampleIT {
    /** The example's namespace and Deployment (deploy/examples/activemq-nfs). */
    private static final String EXAMPLE_NAMESPACE = "activemq";
    private static final String EXAMPLE_DEPLOYMENT = "activemq";
    private static final Duration RECONCILE = Duration.ofSeconds(90);

    private final ControlPlane plane;
    private final ActiveMqHa activeMqHa;
    private final KubernetesClient client;

    ExampleIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.activeMqHa = activeMqHa;
        this.client = plane.client();
    }

    @AfterEach
    void deleteTheExample() {
        // Namespace, PersistentVolume and all: the namespace and garbage collectors remove the Deployment's pods.
        plane.kubectl().succeed("delete", "-k", example(), "--ignore-not-found", "--wait=true", "--timeout=90s");
    }

    @Test
    void examplePodsAreAdmittedThroughTheWebhookAndStoredInjected() {
        CommandResult apply = plane.kubectl("apply", "-k", example());
        assertThat(apply.exitCode()).as("kubectl apply -k deploy/examples/activemq-nfs: %s", apply.stderr()).isZero();

        List<Pod> pods = Await.until("2 pods of Deployment " + EXAMPLE_DEPLOYMENT, RECONCILE, () -> {
            List<Pod> current = client.pods().inNamespace(EXAMPLE_NAMESPACE).list().getItems();
            return current.size() == 2 ? Optional.of(current) : Optional.empty();
        }, () -> plane.kubectl("describe", "replicasets", "-n", EXAMPLE_NAMESPACE).stdout()
                + "\n" + activeMqHa.webhook().process().logTail(30));

        assertThat(pods).allSatisfy(pod -> {
            assertThat(pod.getMetadata().getAnnotations()).containsKey(Annotations.INJECTED);
            assertThat(pod.getMetadata().getLabels())
                    .containsEntry(Labels.LEADER, Labels.LEADER_NO)
                    .containsEntry(Labels.GROUP, EXAMPLE_DEPLOYMENT);
            assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
            assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();

            Container labeler = containers(pod).filter(c -> c.getName().equals(LabelerContract.CONTAINER_NAME))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + LabelerContract.CONTAINER_NAME
                            + " container in " + pod.getMetadata().getName()));
            assertThat(labeler.getImage()).isEqualTo(ActiveMqHa.LABELER_IMAGE);
            assertThat(labeler.getVolumeMounts()).extracting(VolumeMount::getName, VolumeMount::getMountPath)
                    .contains(org.assertj.core.groups.Tuple.tuple(LabelerContract.TOKEN_VOLUME_NAME,
                            LabelerContract.TOKEN_MOUNT_PATH));

            Container broker = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals("activemq"))
                    .findFirst().orElseThrow();
            assertThat(broker.getVolumeMounts()).extracting(VolumeMount::getMountPath)
                    .as("the broker container mounts no API token").doesNotContain(LabelerContract.TOKEN_MOUNT_PATH);

            assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
                    .contains(LabelerContract.TOKEN_VOLUME_NAME)
                    .noneMatch(name -> name.startsWith("kube-api-access-"));
            Volume token = pod.getSpec().getVolumes().stream()
                    .filter(v -> v.getName().equals(LabelerContract.TOKEN_VOLUME_NAME)).findFirst().orElseThrow();
            assertThat(token.getProjected().getSources()).anySatisfy(source ->
                    assertThat(source.getServiceAccountToken()).isNotNull());
        });

        assertThat(client.serviceAccounts().inNamespace(EXAMPLE_NAMESPACE).withName(RbacNames.LABELER_SERVICE_ACCOUNT)
                .get()).as("provisioned ServiceAccount").isNotNull();
        RoleBinding binding = client.rbac().roleBindings().inNamespace(EXAMPLE_NAMESPACE)
                .withName(RbacNames.LABELER_ROLE_BINDING).get();
        assertThat(binding).as("provisioned RoleBinding").isNotNull();
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(RbacNames.LABELER_CLUSTER_ROLE);
        assertThat(binding.getSubjects()).extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ServiceAccount", RbacNames.LABELER_SERVICE_ACCOUNT,
                        EXAMPLE_NAMESPACE));
    }

    @Test
    void serverSideDryRunProvisionsNothingWhileARealCreateDoes() throws Exception {
        try (TestNamespace namespace = TestNamespace.create(client, "dry-run")) {
            Path pod = Files.writeString(plane.newDirectory("dry-run").resolve("pod.yaml"),
                    Manifests.brokerPod("broker-0", "true"));

            CommandResult firstDryRun = plane.kubectl("create", "--dry-run=server", "-n", namespace.name(),
                    "-f", pod.toString(), "-o", "yaml");

            // The webhook ran (only it names the labeler's account) and, for a dry run, provisioned nothing; so the
            // API server's ServiceAccount check, which runs after the webhooks, finds no such account in a namespace
            // that never had an injected pod. A real create provisions it first (below).
            assertThat(firstDryRun.exitCode()).isEqualTo(1);
            assertThat(firstDryRun.stderr()).contains("serviceaccount \"" + RbacNames.LABELER_SERVICE_ACCOUNT
                    + "\" not found");
            assertNothingProvisioned(namespace);

            plane.kubectl().succeed("create", "-n", namespace.name(), "-f", pod.toString());

            assertThat(client.serviceAccounts().inNamespace(namespace.name()).withName(RbacNames.LABELER_SERVICE_ACCOUNT)
                    .get()).as("ServiceAccount after a real create").isNotNull();
            assertThat(client.rbac().roleBindings().inNamespace(namespace.name()).withName(RbacNames.LABELER_ROLE_BINDING)
                    .get()).as("RoleBinding after a real create").isNotNull();

            // Once the account exists, a dry run is admitted and shows the injection, and still stores no pod.
            CommandResult dryRun = plane.kubectl("create", "--dry-run=server", "-n", namespace.name(),
                    "-f", Files.writeString(pod.resolveSibling("pod-1.yaml"), Manifests.brokerPod("broker-1", "true"))
                            .toString(), "-o", "yaml");
            assertThat(dryRun.exitCode()).as("dry-run create: %s", dryRun.stderr()).isZero();
            assertThat(dryRun.stdout()).contains("name: " + LabelerContract.CONTAINER_NAME);
            assertThat(client.pods().inNamespace(namespace.name()).withName("broker-1").get()).isNull();
        }
    }

    private void assertNothingProvisioned(TestNamespace namespace) {
        assertThat(client.pods().inNamespace(namespace.name()).list().getItems()).isEmpty();
        assertThat(client.serviceAccounts().inNamespace(namespace.name()).withName(RbacNames.LABELER_SERVICE_ACCOUNT)
                .get()).as("ServiceAccount after a dry run").isNull();
        assertThat(client.rbac().roleBindings().inNamespace(namespace.name()).withName(RbacNames.LABELER_ROLE_BINDING)
                .get()).as("RoleBinding after a dry run").isNull();
    }

    private static String example() {
        return E2eSettings.projectRoot().resolve("deploy/examples/activemq-nfs").toString();
    }

    private static Stream<Container> containers(Pod pod) {
        return Stream.concat(Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream(),
                pod.getSpec().getContainers().stream());
    }
}
