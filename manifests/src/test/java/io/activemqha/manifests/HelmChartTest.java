package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.webhook.admission.InjectorConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart under deploy/helm renders exactly what the kustomize install renders, for each variant, so the two never
 * drift; its values reach the objects they name; {@code helm lint --strict} passes.
 */
class HelmChartTest {
    private static final String RELEASE = "activemq-ha";
    // Where helm keeps the release record: not the chart's namespace, which the chart creates (namespace.create).
    private static final String RELEASE_NAMESPACE = "default";

    private final DeployTree tree = DeployTree.fromBuild();
    private final Kustomize kustomize = Kustomize.onPath();
    private final Helm helm = Helm.locate();
    private final Path chart = tree.paths().deploy().resolve("helm/activemq-ha");

    /** The chart's values of each kustomize variant, and that variant. */
    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of(List.of(), "install"),
                Arguments.of(List.of("--set", "certificates.mode=cert-manager"), "variants/cert-manager"),
                Arguments.of(List.of("--set", "rbac.provisionLabelerRbac=false"), "variants/no-rbac-provisioning"));
    }

    @ParameterizedTest(name = "helm template {0} = kubectl kustomize deploy/{1}")
    @MethodSource("variants")
    void chartRendersTheSameObjectsAsKustomize(List<String> values, String variant) {
        Path kustomization = tree.paths().deploy().resolve(variant);

        List<String> differences = ObjectComparison.differences("helm template " + values,
                render(values), "deploy/" + variant, kustomize.render(kustomization));

        assertThat(differences).as("differences between the chart (minus Helm's labels %s) and deploy/%s",
                ObjectComparison.HELM_LABELS, variant).isEmpty();
    }

    @ParameterizedTest(name = "helm lint --strict {0}")
    @MethodSource("variants")
    void lintIsClean(List<String> values, String variant) {
        Commands.Result lint = helm.lint(chart, values);

        assertThat(lint.exitCode()).as("helm lint --strict %s:\n%s%s", values, lint.stdout(), lint.stderr()).isZero();
        assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed").doesNotContain("[WARNING]", "[ERROR]");
    }

    @Test
    void valuesReachTheObjectsTheyName() {
        Rendered rendered = Rendered.load("helm template (changed values)", render(List.of(
                "--set", "image.webhook.repository=registry.example/activemq-ha/webhook,image.webhook.tag=1.2.3",
                "--set", "image.leaderLabeler.repository=registry.example/activemq-ha/leader-labeler,image.leaderLabeler.tag=1.2.4",
                "--set", "image.certs.repository=registry.example/activemq-ha/certs,image.certs.tag=1.2.5",
                "--set", "webhook.replicas=3,webhook.resources.limits.memory=400Mi",
                "--set", "mutatingWebhook.failurePolicy=Ignore,mutatingWebhook.timeoutSeconds=10",
                "--set", "mutatingWebhook.namespaceSelector.matchLabels.brokers=yes",
                "--set", "certificates.builtin.renewSchedule=5 4 * * 0")));

        Deployment webhook = rendered.only(Deployment.class);
        Container container = webhook.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(webhook.getSpec().getReplicas()).isEqualTo(3);
        assertThat(container.getImage()).isEqualTo("registry.example/activemq-ha/webhook:1.2.3");
        assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("400Mi"));
        assertThat(WebhookFlags.of(container).labelerImage()).isEqualTo("registry.example/activemq-ha/leader-labeler:1.2.4");
        Stream.concat(Containers.all(rendered.only(Job.class).getSpec().getTemplate().getSpec()).stream(),
                        Containers.all(rendered.only(CronJob.class).getSpec().getJobTemplate().getSpec().getTemplate().getSpec()).stream())
                .forEach(certs -> assertThat(certs.getImage()).isEqualTo("registry.example/activemq-ha/certs:1.2.5"));
        assertThat(rendered.only(CronJob.class).getSpec().getSchedule()).isEqualTo("5 4 * * 0");

        MutatingWebhook mutating = rendered.only(MutatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(mutating.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(mutating.getTimeoutSeconds()).isEqualTo(10);
        assertThat(mutating.getNamespaceSelector().getMatchLabels()).isEqualTo(Map.of("brokers", "yes"));
        assertThat(mutating.getNamespaceSelector().getMatchExpressions()).singleElement()
                .extracting(LabelSelectorRequirement::getValues).asInstanceOf(InstanceOfAssertFactories.LIST)
                .containsExactly("kube-system", "kube-node-lease", "activemq-ha");
    }

    @Test
    void labelerDefaultsBecomeTheInjectorConfigOfTheRealServeCommand() {
        Rendered rendered = Rendered.load("helm template (labeler defaults)", render(List.of(
                "--set", "labeler.brokerUrl=tcp://localhost:61617,labeler.healthPort=8089,labeler.nativeSidecar=true",
                "--set", "labeler.resources.requests.cpu=30m,labeler.resources.requests.memory=40Mi",
                "--set", "labeler.resources.limits.cpu=300m,labeler.resources.limits.memory=80Mi")));

        InjectorConfig injector = WebhookFlags.of(rendered.only(Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0)).injector();

        assertThat(injector.brokerUrl()).isEqualTo("tcp://localhost:61617");
        assertThat(injector.healthPort()).isEqualTo(8089);
        assertThat(injector.nativeSidecar()).isTrue();
        assertThat(injector.resources()).isEqualTo(new InjectorConfig.SidecarResources("30m", "300m", "40Mi", "80Mi"));
    }

    @Test
    void theDefaultsKeepTheWebhooksOwnInjectorConfig() {
        InjectorConfig chart = WebhookFlags.of(Rendered.load("helm template", render(List.of())).only(Deployment.class)
                .getSpec().getTemplate().getSpec().getContainers().get(0)).injector();

        assertThat(chart).isEqualTo(tree.installedWebhookFlags().injector());
    }

    @Test
    void anotherNamespaceMovesEverythingAndIsExcludedFromInjection() {
        Rendered rendered = Rendered.load("helm template (namespace ha-system)",
                render(List.of("--set", "namespace.name=ha-system")));

        assertThat(rendered.objects()).filteredOn(o -> o instanceof Namespaced)
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo("ha-system"));
        MutatingWebhook mutating = rendered.only(MutatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(mutating.getClientConfig().getService().getNamespace()).isEqualTo("ha-system");
        assertThat(mutating.getNamespaceSelector().getMatchExpressions().get(0).getValues()).contains("ha-system");
        assertThat(Containers.expandedArgs(rendered.only(Job.class).getSpec().getTemplate().getSpec().getContainers().get(0)))
                .contains("--namespace=ha-system");
    }

    @Test
    void aReleaseInTheNamespaceTheChartCreatesIsRefusedWithTheRemedy() {
        Commands.Result result = helm.templateResult(chart, RELEASE, "activemq-ha", List.of());

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("namespace.create=true").contains("helm install -n default");
    }

    @Test
    void theSchemaRefusesAMistypedValue() {
        Commands.Result result = helm.templateResult(chart, RELEASE, RELEASE_NAMESPACE,
                List.of("--set", "mutatingWebhook.failurePolicy=fail"));

        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("failurePolicy");
    }

    private String render(List<String> values) {
        return helm.template(chart, RELEASE, RELEASE_NAMESPACE, values);
    }
}
