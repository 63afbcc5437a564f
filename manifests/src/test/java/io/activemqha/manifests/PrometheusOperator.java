package io.activemqha.manifests;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The part of the Prometheus Operator's {@code monitoring.coreos.com/v1} API that deploy/monitoring uses. fabric8 ships
 * no model of it; these records are read with unknown fields failing, so a misspelt field (which the API server would
 * prune silently, leaving e.g. a PodMonitor without its relabeling) fails the test.
 */
final class PrometheusOperator {
    static final String API_VERSION = "monitoring.coreos.com/v1";

    private PrometheusOperator() {
    }

    /** {@code PrometheusRule}: its {@code spec} is exactly a Prometheus rule file. */
    record PrometheusRule(String apiVersion, String kind, CertManager.Metadata metadata, RuleFile spec) {
    }

    record RuleFile(List<RuleGroup> groups) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RuleGroup(String name, String interval, List<Rule> rules) {
    }

    /** An alerting rule ({@code record} is modeled only so that a recording rule is loaded, and then refused). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Rule(String alert, String record, String expr, @JsonProperty("for") String forDuration,
                Map<String, String> labels, Map<String, String> annotations) {
    }

    /** {@code PodMonitor}: which pods Prometheus scrapes, on which port, with which target labels. */
    record PodMonitor(String apiVersion, String kind, CertManager.Metadata metadata, PodMonitorSpec spec) {
    }

    record PodMonitorSpec(String jobLabel, List<String> podTargetLabels, NamespaceSelector namespaceSelector,
                          LabelSelector selector, List<PodMetricsEndpoint> podMetricsEndpoints) {
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {
    }

    record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    }

    record Requirement(String key, String operator, List<String> values) {
    }

    record PodMetricsEndpoint(String port, String path, String scheme, String interval, String scrapeTimeout,
                              TlsConfig tlsConfig, List<Relabeling> relabelings) {
    }

    record TlsConfig(String serverName, Boolean insecureSkipVerify, SecretOrConfigMap ca) {
    }

    record SecretOrConfigMap(SecretKey secret, SecretKey configMap) {
    }

    record SecretKey(String name, String key) {
    }

    record Relabeling(List<String> sourceLabels, String separator, String regex, String targetLabel,
                      String replacement, String action) {
    }
}
