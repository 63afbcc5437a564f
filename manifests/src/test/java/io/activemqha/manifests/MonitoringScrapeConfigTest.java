package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.CertificateFiles;
import io.activemqha.common.InstallNames;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.server.Endpoints;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The PodMonitors find what the install and the webhook's injection really create: the webhook's pods and HTTPS port
 * (verified against the install's CA under its Service's name), and every injected broker pod's labeler health port
 * with the HA group label turned into the {@code activemq_ha_group} target label the alerts and the dashboard use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringScrapeConfigTest {
    /** The target label of the HA group; the alerts aggregate by it. */
    static final String GROUP_TARGET_LABEL = "activemq_ha_group";

    private Monitoring monitoring;
    private Rendered install;
    private Pod injected;

    @BeforeAll
    void render() {
        monitoring = Monitoring.load();
        DeployTree tree = DeployTree.fromBuild();
        install = tree.render(tree.paths().install());
        BrokerPods pods = new BrokerPods(tree.render(tree.paths().example()).only(Deployment.class),
                new AdmissionReviewer(tree.installedWebhookFlags().injector()));
        injected = pods.admitted(pods.created(), "activemq-" + BrokerPods.TEMPLATE_HASH + "-m0n1t");
    }

    @Test
    void theWebhookPodMonitorScrapesTheWebhooksMetricsOverVerifiedTls() {
        PrometheusOperator.PodMonitor monitor = monitoring.podMonitor(InstallNames.WEBHOOK);
        Deployment webhook = install.only(Deployment.class);
        Service service = install.only(Service.class);
        assertThat(Selectors.selects(monitor.spec().selector().matchLabels(),
                webhook.getSpec().getTemplate().getMetadata().getLabels())).as("selects the webhook's pods").isTrue();
        assertThat(monitor.metadata().namespace()).isEqualTo(webhook.getMetadata().getNamespace());

        PrometheusOperator.PodMetricsEndpoint endpoint = only(monitor);
        Container container = webhook.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getPorts()).extracting(ContainerPort::getName).contains(endpoint.port());
        assertThat(endpoint.path()).isEqualTo(Endpoints.METRICS);
        assertThat(endpoint.scheme()).isEqualTo("https");
        assertThat(endpoint.tlsConfig().insecureSkipVerify()).as("insecureSkipVerify").isNotEqualTo(Boolean.TRUE);
        assertThat(endpoint.tlsConfig().serverName())
                .isEqualTo(service.getMetadata().getName() + "." + service.getMetadata().getNamespace() + ".svc");
        assertThat(endpoint.tlsConfig().ca().secret())
                .isEqualTo(new PrometheusOperator.SecretKey(InstallNames.WEBHOOK_TLS_SECRET, CertificateFiles.CA_CRT));
        assertThat(jobOf(endpoint)).isEqualTo("activemq-ha-webhook");
    }

    @Test
    void theLabelerPodMonitorScrapesEveryInjectedPodsHealthPortWithItsGroup() {
        PrometheusOperator.PodMonitor monitor = monitoring.podMonitor("activemq-ha-labeler");
        assertThat(monitor.spec().namespaceSelector().any()).as("broker pods are in any namespace").isTrue();
        assertThat(monitor.spec().selector().matchExpressions()).containsExactly(
                new PrometheusOperator.Requirement(Labels.GROUP, "Exists", null));
        assertThat(injected.getMetadata().getLabels()).as("the injected pod's labels").containsKey(Labels.GROUP);

        PrometheusOperator.PodMetricsEndpoint endpoint = only(monitor);
        // A native sidecar (an init container that keeps running): Prometheus' pod discovery lists init containers' ports too.
        Container labeler = Stream.concat(injected.getSpec().getInitContainers().stream(),
                        injected.getSpec().getContainers().stream())
                .filter(c -> LabelerContract.CONTAINER_NAME.equals(c.getName())).findFirst().orElseThrow();
        ContainerPort port = labeler.getPorts().stream().filter(p -> endpoint.port().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("the injected labeler has no port " + endpoint.port() + ": " + labeler.getPorts()));
        assertThat(port.getContainerPort()).isEqualTo(LabelerContract.DEFAULT_HEALTH_PORT);
        assertThat(endpoint.path()).isEqualTo(LabelerContract.METRICS_PATH);
        assertThat(endpoint.scheme()).as("plain HTTP, like the liveness probe").isIn(null, "http");
        assertThat(jobOf(endpoint)).isEqualTo("activemq-ha-labeler");

        // Service discovery exposes pod label L as __meta_kubernetes_pod_label_<L with every illegal character as _>.
        String discovered = "__meta_kubernetes_pod_label_" + Labels.GROUP.replaceAll("[^a-zA-Z0-9_]", "_");
        assertThat(endpoint.relabelings()).contains(new PrometheusOperator.Relabeling(
                List.of(discovered), null, null, GROUP_TARGET_LABEL, null, null));
    }

    @Test
    void theAlertsFindTheJobsThePodMonitorsSet() {
        Map<String, PrometheusOperator.Rule> alerts = monitoring.alerts();
        alerts.forEach((name, rule) -> {
            if (rule.expr().contains("activemq_ha_labeler_")) {
                assertThat(rule.expr()).as(name).contains("job=\"activemq-ha-labeler\"");
            }
            if (rule.expr().contains("activemq_ha_webhook_")) {
                assertThat(rule.expr()).as(name).contains("job=\"activemq-ha-webhook\"");
            }
            if (rule.expr().contains("by (namespace, ")) {
                assertThat(rule.expr()).as(name).contains("by (namespace, " + GROUP_TARGET_LABEL + ")");
            }
        });
    }

    private static PrometheusOperator.PodMetricsEndpoint only(PrometheusOperator.PodMonitor monitor) {
        assertThat(monitor.spec().podMetricsEndpoints()).as("endpoints of %s", monitor.metadata().name()).hasSize(1);
        return monitor.spec().podMetricsEndpoints().get(0);
    }

    private static String jobOf(PrometheusOperator.PodMetricsEndpoint endpoint) {
        return endpoint.relabelings().stream().filter(r -> "job".equals(r.targetLabel())).map(PrometheusOperator.Relabeling::replacement)
                .findFirst().orElseThrow(() -> new AssertionError("no relabeling sets job: " + endpoint.relabelings()));
    }
}
