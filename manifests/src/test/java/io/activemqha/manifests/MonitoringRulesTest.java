package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * deploy/monitoring's alerts as Prometheus runs them: the PrometheusRule's spec, written out as a plain rule file,
 * passes {@code promtool check rules} and the unit tests of src/test/resources/monitoring/alerts-test.yaml under
 * {@code promtool test rules}; and the alerts follow kube-prometheus' conventions with runbooks in docs/monitoring.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringRulesTest {
    private static final Pattern ALERT_NAME = Pattern.compile("ActiveMQHA[A-Z][A-Za-z]+");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    private static final String RUNBOOKS = "docs/monitoring.md";

    @TempDir
    Path work;
    private Monitoring monitoring;
    private Promtool promtool;

    @BeforeAll
    void load() throws Exception {
        monitoring = Monitoring.load();
        promtool = Promtool.fromBuild();
    }

    @Test
    void promtoolChecksTheRuleFile() throws Exception {
        monitoring.writeRuleFiles(work);
        Promtool.Result check = promtool.run(work, "check", "rules", Monitoring.RULE_FILE);
        System.out.println("promtool check rules (" + promtool.buildInfo() + "):\n" + check.output());

        assertThat(check.exitCode()).as("promtool check rules:\n%s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + monitoring.alerts().size() + " rules found");
    }

    @Test
    void promtoolPassesTheAlertUnitTests() throws Exception {
        monitoring.writeRuleFiles(work);
        Promtool.Result test = promtool.run(work, "test", "rules", Monitoring.ALERT_TESTS);
        System.out.println("promtool test rules:\n" + test.output());

        assertThat(test.exitCode()).as("promtool test rules:\n%s", test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsExercisedByAUnitTestThatExpectsItToFire() {
        Set<String> firing = new TreeSet<>();
        for (JsonNode test : monitoring.alertTestsTree().path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (!check.path("exp_alerts").isEmpty()) {
                    firing.add(check.path("alertname").asString());
                }
            }
        }
        assertThat(firing).containsExactlyInAnyOrderElementsOf(monitoring.alerts().keySet());
    }

    @Test
    void alertsFollowTheKubePrometheusConventions() throws Exception {
        String runbooks = Files.readString(RepoPaths.fromBuild().root().resolve(RUNBOOKS));
        Set<String> anchors = headingAnchors(runbooks);
        assertThat(monitoring.alerts()).as("alerts").hasSizeGreaterThanOrEqualTo(7);
        monitoring.rule().spec().groups().forEach(group -> assertThat(group.rules()).as("group %s", group.name())
                .allSatisfy(rule -> assertThat(rule.record()).as("recording rules (none: every name is a scraped one)").isNull()));
        for (Map.Entry<String, PrometheusOperator.Rule> entry : monitoring.alerts().entrySet()) {
            String name = entry.getKey();
            PrometheusOperator.Rule rule = entry.getValue();
            assertThat(name).as("alert name").matches(ALERT_NAME);
            assertThat(rule.forDuration()).as("%s: for", name).isNotBlank();
            assertThat(rule.labels()).as("%s: labels", name).containsOnlyKeys("severity");
            assertThat(SEVERITIES).as("%s: severity", name).contains(rule.labels().get("severity"));
            assertThat(rule.annotations()).as("%s: annotations", name)
                    .containsOnlyKeys("summary", "description", "runbook_url");
            assertThat(rule.annotations().get("runbook_url")).as("%s: runbook_url", name)
                    .isEqualTo(RUNBOOKS + "#" + name.toLowerCase(Locale.ROOT));
            assertThat(anchors).as("headings of %s (the runbook of %s)", RUNBOOKS, name)
                    .contains(name.toLowerCase(Locale.ROOT));
        }
    }

    /** GitHub's anchors of the Markdown headings: lower case, spaces to dashes, punctuation dropped. */
    private static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        Matcher heading = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$").matcher(markdown);
        while (heading.find()) {
            anchors.add(heading.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }
}
