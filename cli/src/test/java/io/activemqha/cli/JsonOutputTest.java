package io.activemqha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.cli.doctor.DoctorReport;
import io.activemqha.cli.status.StatusReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonOutputTest {
    private final JsonOutput json = new JsonOutput();

    @Test
    void aStatusReportIsWrittenWithItsRecordComponentNames() {
        StatusReport report = new StatusReport("mq", "2026-01-01T00:00:00Z", List.of(new StatusReport.Group("g", "a-1",
                List.of("a-0"), List.of(new StatusReport.Broker("a-1", "yes", "Running", "b1", "ID:1", true,
                        new StatusReport.Labeler(true, 0, "running"))), List.of(),
                List.of(new StatusReport.ServiceRoute("mq", Map.of("leader", "yes"), List.of("10.0.0.1 (a-1)"), List.of())),
                List.of())), List.of());

        assertThat(json.write(report)).contains("\"namespace\" : \"mq\"", "\"leader\" : \"a-1\"",
                "\"brokerId\" : \"ID:1\"", "\"readyEndpoints\" : [ \"10.0.0.1 (a-1)\" ]", "\"ready\" : true");
    }

    @Test
    void aDoctorReportIsWrittenWithSeverityNames() {
        DoctorReport report = new DoctorReport("2026-01-01T00:00:00Z", List.of(
                new DoctorReport.Finding("labeler-rbac", DoctorReport.Severity.PROBLEM, "missing", "apply it")));

        assertThat(json.write(report)).contains("\"check\" : \"labeler-rbac\"", "\"severity\" : \"PROBLEM\"",
                "\"fix\" : \"apply it\"");
    }
}
