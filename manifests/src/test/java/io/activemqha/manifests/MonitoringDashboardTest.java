package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard of deploy/monitoring: well-formed for import (unique panel ids, every query on the data source
 * variable), and it shows what issue 15 asks for. Its metric names are checked by {@link MonitoringMetricNamesTest}.
 */
class MonitoringDashboardTest {
    private final Monitoring monitoring = Monitoring.load();

    @Test
    void everyPanelQueriesTheChosenDataSourceAndHasAUniqueId() {
        JsonNode dashboard = monitoring.dashboard();
        assertThat(dashboard.path("uid").asString()).isEqualTo("activemq-ha");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asString();
            assertThat(ids.add(panel.path("id").asInt())).as("id of panel '%s' is unique", title).isTrue();
            assertThat(panel.path("gridPos").path("w").asInt()).as("width of '%s'", title).isBetween(1, 24);
            if ("row".equals(panel.path("type").asString())) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asString()).as("data source of '%s'", title)
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as("targets of '%s'", title).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asString()).as("query of '%s'", title).isNotBlank();
            }
        }
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asString()));
        assertThat(variables).containsExactly("datasource", "namespace", "group");
    }

    @Test
    void itShowsTheGroupsAndTheWebhook() {
        List<String> queries = monitoring.dashboardExpressions();
        assertThat(queries).as("leader per group over time")
                .anyMatch(q -> q.contains("activemq_ha_labeler_leader") && q.contains("activemq_ha_group") && q.contains("pod"));
        assertThat(queries).as("failovers")
                .anyMatch(q -> q.contains("activemq_ha_labeler_transitions_total") && q.contains("direction=\"promotion\""));
        assertThat(queries).as("failover latency")
                .anyMatch(q -> q.contains("activemq_ha_labeler_last_promotion_latency_seconds"));
        assertThat(queries).as("admissions by outcome")
                .anyMatch(q -> q.contains("activemq_ha_webhook_admissions_total") && q.contains("by (outcome)"));
        assertThat(queries).as("admission latency")
                .anyMatch(q -> q.contains("histogram_quantile") && q.contains("activemq_ha_webhook_admission_duration_seconds_bucket"));
        assertThat(queries).as("group panels filter on the variables")
                .filteredOn(q -> q.contains("activemq_ha_labeler_"))
                .allMatch(q -> q.contains("namespace=~\"$namespace\"") && q.contains("activemq_ha_group=~\"$group\""));
    }
}
