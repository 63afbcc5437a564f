package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.activemqha.common.CertificateFiles;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.Outcome;
import io.activemqha.webhook.server.Endpoints;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * deploy/install wires the webhook consistently: the MutatingWebhookConfiguration reaches the Service, the Service the
 * container port the real {@code serve} command listens on, the probes the paths it serves, and the flags the mounted
 * certificate; its matchConditions send exactly the opted-in pods.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookManifestTest {
    private Rendered install;
    private Rendered noProvisioning;
    private Deployment webhook;
    private Container container;
    private WebhookFlags flags;
    private Service service;
    private MutatingWebhook mutating;
    private MutatingWebhookConfiguration configuration;
    private BrokerPods brokerPods;

    @BeforeAll
    void render() {
        DeployTree tree = DeployTree.fromBuild();
        install = tree.render(tree.paths().install());
        noProvisioning = tree.render(tree.paths().deploy().resolve("variants/no-rbac-provisioning"));
        webhook = install.only(Deployment.class);
        container = webhook.getSpec().getTemplate().getSpec().getContainers().get(0);
        flags = WebhookFlags.of(container);
        service = install.only(Service.class);
        configuration = install.only(MutatingWebhookConfiguration.class);
        assertThat(configuration.getWebhooks()).hasSize(1);
        mutating = configuration.getWebhooks().get(0);
        brokerPods = new BrokerPods(tree.render(tree.paths().example()).only(Deployment.class),
                new AdmissionReviewer(flags.injector()));
    }

    @Test
    void theMutatingWebhookReachesTheServeCommandsPortAndPath() {
        ServiceReference reference = mutating.getClientConfig().getService();
        assertThat(reference.getName()).isEqualTo(service.getMetadata().getName());
        assertThat(reference.getNamespace()).isEqualTo(service.getMetadata().getNamespace())
                .isEqualTo(webhook.getMetadata().getNamespace());
        assertThat(reference.getPath()).isEqualTo(Endpoints.MUTATE);
        ServicePort port = service.getSpec().getPorts().stream()
                .filter(p -> p.getPort().equals(reference.getPort())).findFirst()
                .orElseThrow(() -> new AssertionError("the Service has no port " + reference.getPort()));
        assertThat(containerPort(port.getTargetPort()).getContainerPort())
                .as("the container port the Service forwards to is where `serve` listens").isEqualTo(flags.port());
        assertThat(flags.port()).isEqualTo(8443);
        assertThat(reference.getPort()).isEqualTo(443);
        assertThat(Selectors.selects(service.getSpec().getSelector(), webhook.getSpec().getTemplate().getMetadata().getLabels()))
                .isTrue();
        assertThat(mutating.getClientConfig().getUrl()).as("in-cluster Service reference, never a URL").isNull();
    }

    @Test
    void probesHitTheHealthAndReadinessPathsOverHttps() {
        HTTPGetAction readiness = container.getReadinessProbe().getHttpGet();
        HTTPGetAction liveness = container.getLivenessProbe().getHttpGet();
        assertThat(readiness.getPath()).isEqualTo(Endpoints.READYZ);
        assertThat(liveness.getPath()).isEqualTo(Endpoints.HEALTHZ);
        for (HTTPGetAction probe : new HTTPGetAction[] {readiness, liveness}) {
            assertThat(probe.getScheme()).isEqualTo("HTTPS");
            assertThat(containerPort(probe.getPort()).getContainerPort()).isEqualTo(flags.port());
        }
    }

    @Test
    void theServedCertificateIsTheMountedSecretsAndReloadable() {
        PodSpec pod = webhook.getSpec().getTemplate().getSpec();
        VolumeMount mount = container.getVolumeMounts().stream()
                .filter(m -> flags.tlsCert().startsWith(m.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError("--tls-cert " + flags.tlsCert() + " is on no mounted volume"));
        assertThat(mount.getSubPath()).as("a subPath mount never sees a renewed Secret").isNull();
        assertThat(mount.getReadOnly()).isTrue();
        Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(volume.getSecret()).as("volume %s", volume.getName()).isNotNull();
        Path directory = Path.of(mount.getMountPath());
        assertThat(flags.tlsCert()).isEqualTo(directory.resolve(CertificateFiles.TLS_CRT));
        assertThat(flags.tlsKey()).isEqualTo(directory.resolve(CertificateFiles.TLS_KEY));
    }

    @Test
    void runsTheDocumentedDefaultsForTheLabelerAccount() {
        assertThat(flags.serviceAccount()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT)
                .isEqualTo(InjectorConfig.defaults().serviceAccount());
        assertThat(flags.provisionRbac()).isTrue();
        assertThat(webhook.getSpec().getTemplate().getSpec().getEnableServiceLinks())
                .as("service links would define ACTIVEMQ_HA_WEBHOOK_* variables, the prefix serve reads options from")
                .isFalse();
    }

    @Test
    void theNoProvisioningVariantTurnsProvisioningAndItsPermissionsOff() {
        Deployment variant = noProvisioning.only(Deployment.class);
        WebhookFlags variantFlags = WebhookFlags.of(variant.getSpec().getTemplate().getSpec().getContainers().get(0));
        assertThat(variantFlags.provisionRbac()).isFalse();
        assertThat(variant.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
        String account = variant.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(noProvisioning.all(ClusterRoleBinding.class))
                .as("no cluster-wide permissions for the webhook's account %s", account)
                .noneSatisfy(binding -> assertThat(binding.getSubjects()).anySatisfy(subject ->
                        assertThat(subject.getName()).isEqualTo(account)));
        assertThat(noProvisioning.all(ClusterRole.class)).extracting(r -> r.getMetadata().getName())
                .contains(RbacNames.LABELER_CLUSTER_ROLE);
    }

    @Test
    void failsClosedForAnnotatedPodsOnlyAndNeverBlocksTheCluster() {
        assertThat(mutating.getFailurePolicy()).isEqualTo("Fail");
        assertThat(mutating.getSideEffects()).isEqualTo("NoneOnDryRun");
        assertThat(mutating.getTimeoutSeconds()).isBetween(1, 5);
        assertThat(flags.rbacTimeout()).as("provisioning gives up (and denies with the API error) before the API "
                + "server's timeout turns it into an opaque webhook failure")
                .isLessThan(java.time.Duration.ofSeconds(mutating.getTimeoutSeconds()));
        assertThat(mutating.getReinvocationPolicy()).isEqualTo("IfNeeded");
        assertThat(mutating.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(mutating.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getApiVersions()).containsExactly("v1");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getOperations()).containsExactly("CREATE");
        });
        assertThat(mutating.getObjectSelector()).isNull();
        assertThat(mutating.getNamespaceSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(mutating.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(expression -> {
            assertThat(expression.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(expression.getOperator()).isEqualTo("NotIn");
            assertThat(expression.getValues()).containsExactlyInAnyOrder("kube-system", "kube-node-lease",
                    webhook.getMetadata().getNamespace());
        });
        assertThat(install.only(Namespace.class).getMetadata().getName()).isEqualTo(webhook.getMetadata().getNamespace());
    }

    @Test
    void matchConditionsSendOptedInPodsOnlyAndTheWebhookDeniesTypos() throws Exception {
        assertThat(mutating.getMatchConditions()).singleElement().satisfies(condition ->
                assertThat(condition.getExpression()).contains("'" + Annotations.ENABLED + "'"));
        String expression = mutating.getMatchConditions().get(0).getExpression();
        CelEvaluator cel = new CelEvaluator();

        Pod annotated = brokerPods.created();
        assertThat(matches(cel, expression, annotated)).isTrue();
        assertThat(matches(cel, expression, withAnnotations(annotated, null))).as("no annotations at all").isFalse();
        assertThat(matches(cel, expression, withAnnotations(annotated, Map.of("other", "x")))).isFalse();
        assertThat(matches(cel, expression, withAnnotations(annotated, Map.of(Annotations.ENABLED, "false")))).isFalse();

        Pod typo = withAnnotations(annotated, Map.of(Annotations.ENABLED, "True"));
        assertThat(matches(cel, expression, typo)).as("a typo reaches the webhook").isTrue();
        var answer = brokerPods.admit(typo);
        assertThat(answer.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(answer.body()).contains(Annotations.ENABLED).contains("True");
    }

    @Test
    void survivesNodeDrainsAndRestartsWithoutDowntime() {
        assertThat(webhook.getSpec().getReplicas()).isEqualTo(2);
        assertThat(webhook.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
        PodDisruptionBudget budget = install.only(PodDisruptionBudget.class);
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(webhook.getSpec().getSelector().getMatchLabels());
        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isBetween(1, webhook.getSpec().getReplicas() - 1);
        PodSpec pod = webhook.getSpec().getTemplate().getSpec();
        assertThat(pod.getTopologySpreadConstraints()).extracting(c -> c.getTopologyKey()).contains("kubernetes.io/hostname");
        assertThat(pod.getTopologySpreadConstraints()).allSatisfy(c -> assertThat(Selectors.selects(
                c.getLabelSelector().getMatchLabels(), webhook.getSpec().getTemplate().getMetadata().getLabels())).isTrue());
    }

    private boolean matches(CelEvaluator cel, String expression, Pod pod) throws Exception {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("object", CelEvaluator.value(brokerPods.toJsonNode(pod)));
        return Boolean.TRUE.equals(cel.evaluate(expression, bindings));
    }

    private Pod withAnnotations(Pod pod, Map<String, String> annotations) {
        Pod copy = brokerPods.mergePatched(pod, "{}");
        copy.getMetadata().setAnnotations(annotations == null ? null : new HashMap<>(annotations));
        return copy;
    }

    private ContainerPort containerPort(IntOrString reference) {
        return container.getPorts().stream()
                .filter(p -> reference.getIntVal() != null ? reference.getIntVal().equals(p.getContainerPort())
                        : reference.getStrVal().equals(p.getName()))
                .findFirst().orElseThrow(() -> new AssertionError("the webhook container has no port " + reference));
    }

}
