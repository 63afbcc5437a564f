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

    @Test
    void healthPortInUseExitsWithOneAndNamesTheAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Process p = new ProcessBuilder(io.activemqha.labeler.testing.Jvm.mainClass(
                    io.activemqha.labeler.testing.Jvm.CHILD_FLAGS, LabelerMain.class,
                    java.util.List.of("--pod-name", "p", "--namespace", "n", "--health-address", "127.0.0.1",
                            "--health-port", Integer.toString(taken.getLocalPort()))))
                    .redirectErrorStream(true).start();
            try {
                assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.exitValue()).as(out).isEqualTo(LabelerMain.EXIT_START);
                assertThat(out).contains("cannot start: cannot bind the health endpoint to /127.0.0.1:" + taken.getLocalPort());
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
