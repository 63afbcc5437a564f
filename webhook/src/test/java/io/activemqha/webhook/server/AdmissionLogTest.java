package io.activemqha.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.webhook.admission.Outcome;
import org.junit.jupiter.api.Test;

class AdmissionLogTest {
    @Test
    void linesAreLogfmtWithEveryField() {
        assertThat(AdmissionLog.line("b6a1c2d3", "payments", "payments-broker-5d7c9b8f4-", Outcome.INJECTED, "injected",
                200, false, 1_234_567))
                .isEqualTo("admission uid=b6a1c2d3 namespace=payments pod=payments-broker-5d7c9b8f4- outcome=injected"
                        + " reason=injected status=200 dryRun=false durationMs=1.235");
    }

    @Test
    void missingFieldsAreADashAndAwkwardValuesAreQuotedAndEscaped() {
        assertThat(AdmissionLog.line(null, "", null, Outcome.ERROR, "bad request: \"x\"=1\\\nnext\tline\u0001", 400,
                true, 0))
                .isEqualTo("admission uid=- namespace=- pod=- outcome=error"
                        + " reason=\"bad request: \\\"x\\\"=1\\\\\\nnext\\tline\\u0001\" status=400 dryRun=true durationMs=0.000");
        assertThat(AdmissionLog.value("-")).isEqualTo("\"-\"");
        assertThat(AdmissionLog.value("a=b")).isEqualTo("\"a=b\"");
        assertThat(AdmissionLog.value("grüße")).isEqualTo("\"grüße\"");
    }
}
