package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void findsTheSelectedMetricsAndNothingElse() {
        assertThat(PromQl.metricNames("""
                (
                  sum by (namespace, activemq_ha_group) (activemq_ha_labeler_leader{job="activemq-ha-labeler"})
                  or
                  sum by (namespace, activemq_ha_group) (up{job="activemq-ha-labeler"}) * 0
                ) < 1
                """)).containsExactly("activemq_ha_labeler_leader", "up");
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (outcome, le) (rate("
                + "activemq_ha_webhook_admission_duration_seconds_bucket{job=\"activemq-ha-webhook\", outcome=~\"a|b\"}"
                + "[$__rate_interval])))")).containsExactly("activemq_ha_webhook_admission_duration_seconds_bucket");
        assertThat(PromQl.metricNames("(x_seconds > 0) - time() < 14 * 24 * 3600 and on (pod) y offset 5m"))
                .containsExactly("x_seconds", "y");
        assertThat(PromQl.metricNames("sum(a) without (b) / ignoring (c) group_left (d) e unless bool f"))
                .containsExactly("a", "e", "f");
        assertThat(PromQl.metricNames("1e3 + 0x1F + Inf + NaN")).isEmpty();
    }

    @Test
    void seriesNameIsWhatPrecedesTheMatchers() {
        assertThat(PromQl.seriesName("up{job=\"x\"}")).isEqualTo("up");
        assertThat(PromQl.seriesName(" activemq_ha_labeler_leader ")).isEqualTo("activemq_ha_labeler_leader");
    }
}
