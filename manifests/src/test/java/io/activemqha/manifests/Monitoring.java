package io.activemqha.manifests;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/monitoring as the tests see it: the rendered kustomization (PrometheusRule, PodMonitors, the dashboard's
 * ConfigMap), the dashboard JSON inside that ConfigMap, and the promtool unit tests of the rules (a test resource).
 *
 * @param rendered   {@code kubectl kustomize deploy/monitoring}
 * @param dashboard  the Grafana dashboard as the ConfigMap ships it
 * @param alertTests src/test/resources/monitoring/alerts-test.yaml, its text
 */
record Monitoring(Rendered rendered, JsonNode dashboard, String alertTests) {
    static final String RULE_FILE = "activemq-ha.rules.yaml";
    static final String ALERT_TESTS = "alerts-test.yaml";
    static final String DASHBOARD_CONFIG_MAP = "activemq-ha-grafana-dashboard";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    static Monitoring load() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered rendered = tree.render(tree.paths().deploy().resolve("monitoring"));
        ConfigMap configMap = rendered.one(ConfigMap.class, DASHBOARD_CONFIG_MAP);
        if (configMap.getData() == null || configMap.getData().size() != 1) {
            throw new AssertionError(DASHBOARD_CONFIG_MAP + " must hold exactly one dashboard, has " + configMap.getData());
        }
        JsonNode dashboard = JSON.readTree(configMap.getData().values().iterator().next());
        try (InputStream in = Monitoring.class.getResourceAsStream("/monitoring/" + ALERT_TESTS)) {
            return new Monitoring(rendered, dashboard, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    PrometheusOperator.PrometheusRule rule() {
        List<PrometheusOperator.PrometheusRule> rules = rendered.prometheusRules();
        if (rules.size() != 1) {
            throw new AssertionError("deploy/monitoring has " + rules.size() + " PrometheusRules, expected 1");
        }
        return rules.get(0);
    }

    /** Every alerting rule by its alert name. */
    Map<String, PrometheusOperator.Rule> alerts() {
        Map<String, PrometheusOperator.Rule> alerts = new LinkedHashMap<>();
        rule().spec().groups().forEach(group -> group.rules().forEach(rule -> alerts.put(rule.alert(), rule)));
        return alerts;
    }

    PrometheusOperator.PodMonitor podMonitor(String name) {
        return rendered.podMonitors().stream().filter(m -> name.equals(m.metadata().name())).findFirst()
                .orElseThrow(() -> new AssertionError("deploy/monitoring has no PodMonitor " + name));
    }

    /** Writes the PrometheusRule's spec as a plain Prometheus rule file and the unit tests next to it. */
    Path writeRuleFiles(Path directory) throws IOException {
        Files.writeString(directory.resolve(RULE_FILE), YAML.writeValueAsString(rule().spec()));
        Files.writeString(directory.resolve(ALERT_TESTS), alertTests);
        return directory;
    }

    /** The parsed unit tests. */
    JsonNode alertTestsTree() {
        return YAML.readTree(alertTests);
    }

    /** The PromQL of every dashboard panel target. */
    List<String> dashboardExpressions() {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asString());
            }
        }
        return expressions;
    }
}
