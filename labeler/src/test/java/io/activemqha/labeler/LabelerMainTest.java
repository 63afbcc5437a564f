package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LabelerMainTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new LabelerMain());
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void invalidConfigurationExitsWithTwoAndNamesTheSetting() {
        int code = run("--pod-name", "p", "--namespace", "n", "--health-port", "eighty");

        assertThat(code).isEqualTo(LabelerMain.EXIT_CONFIG);
        assertThat(err.toString()).contains("invalid configuration: HEALTH_PORT: expected a port number 1-65535, got 'eighty'");
    }

    @Test
    void unknownFlagIsAUsageError() {
        int code = run("--pod-name", "p", "--bogus");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--bogus'");
    }
}
