package io.activemqha.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-second budget of allowed-answer lines: denials and errors always, the rest counted and reported. */
class AdmissionLogRateTest {
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final List<String> lines = new ArrayList<>();
    private final AdmissionLog.Sink sink = new AdmissionLog.Sink() {
        @Override
        public void info(String line) {
            lines.add("INFO " + line);
        }

        @Override
        public void warn(String line) {
            lines.add("WARN " + line);
        }
    };

    @Test
    void allowedAnswersBeyondTheBudgetAreCountedAndReportedOncePerSecond() {
        AdmissionLog log = new AdmissionLog(3, now::get, sink);
        for (int i = 0; i < 10; i++) {
            log.answered(result(Outcome.INJECTED, "uid-" + i), 1000);
        }
        log.answered(result(Outcome.DENIED, "uid-denied"), 1000);
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(0, 3)).allMatch(l -> l.startsWith("INFO admission uid=uid-"));
        assertThat(lines.get(3)).startsWith("WARN admission uid=uid-denied");

        log.reportLeftOut();
        assertThat(lines).as("nothing reported within the second the answers were left out in").hasSize(4);

        now.addAndGet(1_500_000_000L);
        log.answered(result(Outcome.SKIPPED, "uid-next"), 1000);
        assertThat(lines.get(4)).isEqualTo("INFO admission lines left out: 7 allowed answers in the last 1.5s were not "
                + "logged (at most 3 lines per second, --admission-log-rate); activemq_ha_webhook_admissions_total "
                + "counts them all");
        assertThat(lines.get(5)).startsWith("INFO admission uid=uid-next");
        log.reportLeftOut();
        assertThat(lines).as("reported once").hasSize(6);
    }

    @Test
    void aBurstThatEndsIsReportedByThePeriodicCall() {
        AdmissionLog log = new AdmissionLog(1, now::get, sink);
        log.answered(result(Outcome.INJECTED, "a"), 1000);
        log.answered(result(Outcome.INJECTED, "b"), 1000);
        now.addAndGet(1_000_000_000L);
        log.reportLeftOut();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("INFO admission lines left out: 1 allowed answers in the last 1.0s");
    }

    @Test
    void zeroLogsOnlyDenialsAndErrors() {
        AdmissionLog log = new AdmissionLog(0, now::get, sink);
        log.answered(result(Outcome.INJECTED, "a"), 1000);
        log.refused(413, "too large", 1000);
        assertThat(lines).singleElement().asString().startsWith("WARN admission uid=- ").contains("status=413");
        assertThatThrownBy(() -> new AdmissionLog(-1, now::get, sink)).hasMessageContaining("0 or more");
    }

    private static AdmissionResult result(Outcome outcome, String uid) {
        return new AdmissionResult(200, "{}", outcome, outcome.label(), "admission.k8s.io/v1", uid, "ns", "pod-", false,
                List.of(), null, null);
    }
}
