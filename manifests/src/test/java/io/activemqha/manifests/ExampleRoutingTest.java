package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.Outcome;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The example's brokers get traffic only through the injection: its Service selects a broker pod only after the pod
 * went through the real webhook code and the labeler promoted it, never before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleRoutingTest {
    private Deployment brokers;
    private Service service;
    private BrokerPods pods;
    private Rendered staticRbac;

    @BeforeAll
    void render() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered example = tree.render(tree.paths().example());
        brokers = example.only(Deployment.class);
        service = example.only(Service.class);
        pods = new BrokerPods(brokers, new AdmissionReviewer(tree.installedWebhookFlags().injector()));
        staticRbac = tree.render(tree.paths().deploy().resolve("examples/activemq-nfs-static-rbac"));
    }

    @Test
    void theServiceSelectsABrokerOnlyOnceInjectedAndPromoted() {
        Pod created = pods.created();
        assertThat(Selectors.selects(service.getSpec().getSelector(), created.getMetadata().getLabels()))
                .as("the Service must not select a pod the webhook has not seen").isFalse();

        Pod injected = pods.admitted(created, created.getMetadata().getGenerateName() + "x4k9q");
        assertThat(injected.getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO);
        assertThat(Selectors.selects(service.getSpec().getSelector(), injected.getMetadata().getLabels()))
                .as("a freshly injected pod is leader=no and gets no traffic").isFalse();

        Pod promoted = pods.mergePatched(injected, "{\"metadata\":{\"labels\":{\"" + Labels.LEADER + "\":\""
                + Labels.LEADER_YES + "\"}}}");
        assertThat(Selectors.selects(service.getSpec().getSelector(), promoted.getMetadata().getLabels()))
                .as("the pod the labeler promoted is the Service's endpoint").isTrue();

        Pod demoted = pods.mergePatched(promoted, "{\"metadata\":{\"labels\":{\"" + Labels.LEADER + "\":\""
                + Labels.LEADER_NO + "\"}}}");
        assertThat(Selectors.selects(service.getSpec().getSelector(), demoted.getMetadata().getLabels())).isFalse();
    }

    @Test
    void theDeploymentSelectorIgnoresTheLeaderLabelSoRelabelingNeverOrphansAPod() {
        assertThat(brokers.getSpec().getSelector().getMatchLabels()).doesNotContainKey(Labels.LEADER);
        Pod injected = pods.admitted(pods.created(), "activemq-" + BrokerPods.TEMPLATE_HASH + "-a1b2c");
        for (String leader : List.of(Labels.LEADER_YES, Labels.LEADER_NO)) {
            Pod relabeled = pods.mergePatched(injected, "{\"metadata\":{\"labels\":{\"" + Labels.LEADER + "\":\"" + leader + "\"}}}");
            assertThat(Selectors.selects(brokers.getSpec().getSelector().getMatchLabels(), relabeled.getMetadata().getLabels()))
                    .as("Deployment still owns the pod with leader=%s", leader).isTrue();
        }
    }

    @Test
    void theUserWritesOnlyTheAnnotationTheWebhookAddsTheRest() {
        Pod created = pods.created();
        assertThat(created.getMetadata().getAnnotations()).containsEntry(Annotations.ENABLED, "true");
        assertThat(brokers.getSpec().getTemplate().getSpec().getServiceAccountName()).as("no RBAC in the example").isNull();
        assertThat(allContainers(created)).as("no sidecar in the example").extracting(Container::getName)
                .doesNotContain(LabelerContract.CONTAINER_NAME);

        AdmissionResult result = pods.admit(created);
        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.INJECTED);
        Pod injected = pods.admitted(created, "activemq-" + BrokerPods.TEMPLATE_HASH + "-q8w7e");
        assertThat(injected.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(injected.getMetadata().getLabels()).containsEntry(Labels.GROUP, brokers.getMetadata().getName());
        assertThat(allContainers(injected)).filteredOn(c -> c.getName().equals(LabelerContract.CONTAINER_NAME)).hasSize(1);
    }

    @Test
    void theInjectedLabelerProbesTheBrokersOpenWirePort() {
        Pod injected = pods.admitted(pods.created(), "activemq-" + BrokerPods.TEMPLATE_HASH + "-z9y8x");
        Container labeler = allContainers(injected).stream()
                .filter(c -> c.getName().equals(LabelerContract.CONTAINER_NAME)).findFirst().orElseThrow();
        String brokerUrl = labeler.getEnv().stream().filter(e -> e.getName().equals(LabelerContract.ENV_BROKER_URL))
                .map(EnvVar::getValue).findFirst().orElseThrow();
        int probed = URI.create(brokerUrl).getPort();
        Container broker = brokers.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(broker.getPorts()).as("the broker port the labeler probes (%s)", brokerUrl)
                .anySatisfy(port -> {
                    assertThat(port.getContainerPort()).isEqualTo(probed);
                    assertThat(port.getName()).isEqualTo("openwire");
                });
    }

    @Test
    void theStaticRbacVariantBindsTheAccountThePodsRunAsInTheirNamespace() {
        Pod injected = pods.admitted(pods.created(), "activemq-" + BrokerPods.TEMPLATE_HASH + "-m3n4b");
        RoleBinding binding = staticRbac.one(RoleBinding.class, RbacNames.LABELER_ROLE_BINDING);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(RbacNames.LABELER_CLUSTER_ROLE);
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(injected.getMetadata().getNamespace());
        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> assertSubject(subject, injected));
        assertThat(staticRbac.one(io.fabric8.kubernetes.api.model.ServiceAccount.class, injected.getSpec().getServiceAccountName())
                .getMetadata().getNamespace()).isEqualTo(injected.getMetadata().getNamespace());
    }

    private static void assertSubject(Subject subject, Pod pod) {
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getName()).isEqualTo(pod.getSpec().getServiceAccountName());
        assertThat(subject.getNamespace()).isEqualTo(pod.getMetadata().getNamespace());
    }

    private static List<Container> allContainers(Pod pod) {
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            containers.addAll(pod.getSpec().getInitContainers());
        }
        return containers;
    }
}
