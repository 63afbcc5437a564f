package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Every metric the alerts, their unit tests and the dashboard use is one the components really export: its name is
 * in a real {@code /metrics} scrape of the webhook or the labeler ({@link MetricScrapes}), so renaming a metric in
 * WebhookMetrics or LabelerMetrics fails here. The label values they select on (outcome, direction...) are in the
 * scrape too. The documented exceptions are listed below.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringMetricNamesTest {
    /**
     * kube-state-metrics, for the labeler's restarts (a process cannot count its own): as a native sidecar it is an
     * init container, else a regular one.
     */
    private static final Set<String> KUBE_STATE_METRICS = Set.of("kube_pod_init_container_status_restarts_total",
            "kube_pod_container_status_restarts_total");
    /** Written by Prometheus itself for every target. */
    private static final Set<String> PROMETHEUS = Set.of("up");
    /** Labels that Prometheus adds to every target (the PodMonitors' relabelings), not the components. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "namespace", "pod", "container", "instance",
            "endpoint", "activemq_ha_group");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}");
    private static final Pattern EQUALITY = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private Monitoring monitoring;
    private MetricScrapes scrapes;
    private Set<String> known;

    @BeforeAll
    void scrape() throws Exception {
        monitoring = Monitoring.load();
        scrapes = MetricScrapes.scrape();
        known = new TreeSet<>(scrapes.sampleNames());
        known.addAll(KUBE_STATE_METRICS);
        known.addAll(PROMETHEUS);
    }

    @Test
    void theScrapesAreRealExpositions() {
        assertThat(MetricScrapes.sampleNames(scrapes.webhook())).as("webhook scrape")
                .contains("activemq_ha_webhook_admissions_total", "jvm_threads_live_threads");
        assertThat(MetricScrapes.sampleNames(scrapes.labeler())).as("labeler scrape")
                .contains("activemq_ha_labeler_leader", "activemq_ha_labeler_api_last_success_timestamp_seconds");
        assertThat(known).doesNotContainAnyElementsOf(Set.of("activemq_ha_group", "namespace"));
    }

    @Test
    void theAlertsUseOnlyExportedMetrics() {
        Map<String, String> expressions = new LinkedHashMap<>();
        monitoring.alerts().forEach((name, rule) -> expressions.put("alert " + name, rule.expr()));
        assertExported(expressions);
    }

    @Test
    void theAlertUnitTestsFeedOnlyExportedMetrics() {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode test : monitoring.alertTestsTree().path("tests")) {
            for (JsonNode input : test.path("input_series")) {
                String series = input.path("series").asString();
                expressions.put("input series " + series + " of test '" + test.path("name").asString() + "'", series);
            }
            for (JsonNode check : test.path("promql_expr_test")) {
                expressions.put("promql_expr_test of '" + test.path("name").asString() + "'", check.path("expr").asString());
            }
        }
        assertThat(expressions).as("input series").hasSizeGreaterThanOrEqualTo(monitoring.alerts().size());
        assertExported(expressions);
    }

    @Test
    void theDashboardQueriesOnlyExportedMetrics() {
        Map<String, String> expressions = new LinkedHashMap<>();
        int index = 0;
        for (String expression : monitoring.dashboardExpressions()) {
            expressions.put("dashboard target " + index++, expression);
        }
        for (JsonNode variable : monitoring.dashboard().path("templating").path("list")) {
            if ("query".equals(variable.path("type").asString())) {
                Matcher labelValues = LABEL_VALUES.matcher(variable.path("query").path("query").asString());
                assertThat(labelValues.find()).as("variable %s is a label_values() query", variable.path("name").asString()).isTrue();
                assertThat(known).as("metric of variable %s", variable.path("name").asString()).contains(labelValues.group(1));
            }
        }
        assertExported(expressions);
    }

    private void assertExported(Map<String, String> expressions) {
        assertThat(expressions).isNotEmpty();
        expressions.forEach((where, expression) -> {
            Set<String> names = PromQl.metricNames(expression);
            assertThat(names).as("%s selects a metric: %s", where, expression).isNotEmpty();
            assertThat(known).as("%s uses %s; exported (scraped from the webhook and the labeler, plus "
                    + "kube-state-metrics' and Prometheus' own)", where, names).containsAll(names);
            assertSelectedValuesExist(where, expression);
        });
    }

    /** {@code name{label="value"}} on a component's own label: some scraped sample has that label value. */
    private void assertSelectedValuesExist(String where, String expression) {
        Matcher selector = SELECTOR.matcher(expression);
        while (selector.find()) {
            String name = selector.group(1);
            if (!scrapes.sampleNames().contains(name)) {
                continue;
            }
            Matcher equality = EQUALITY.matcher(selector.group(2));
            while (equality.find()) {
                String label = equality.group(1);
                if (TARGET_LABELS.contains(label)) {
                    continue;
                }
                String matcher = label + "=\"" + equality.group(2) + "\"";
                assertThat(scrapes.samples()).as("%s selects %s{%s}", where, name, matcher)
                        .anyMatch(sample -> sample.startsWith(name + "{") && sample.contains(matcher));
            }
        }
    }
}
