package io.activemqha.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class PluginCommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(ClusterConnector connector, String... args) {
        return PluginCommandLine.create(connector, Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args);
    }

    @Test
    void anUnknownOptionOrOutputFormatIsAUsageError() {
        ClusterConnector unused = options -> {
            throw new AssertionError("no connection on a usage error");
        };

        assertThat(run(unused, "status", "--bogus")).isEqualTo(ExitCodes.USAGE);
        assertThat(run(unused, "doctor", "-o", "yaml")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Unknown option: '--bogus'", "text, json");
    }

    @Test
    void anUnreachableApiServerExits3NamingTheCause() {
        ClusterConnector unreachable = options -> {
            throw new KubernetesClientException("An error has occurred.", new ConnectException("Connection refused"));
        };

        assertThat(run(unreachable, "status", "-n", "mq")).isEqualTo(ExitCodes.API_UNREACHABLE);
        assertThat(run(unreachable, "doctor")).isEqualTo(ExitCodes.API_UNREACHABLE);
        assertThat(err.toString()).contains("cannot reach the API server: ConnectException: Connection refused");
    }

    @Test
    void aRefusedRequestExits3WithTheStatusCode() {
        ClusterConnector forbidden = options -> {
            throw new KubernetesClientException("pods is forbidden", 403, null);
        };

        assertThat(run(forbidden, "status")).isEqualTo(ExitCodes.API_UNREACHABLE);
        assertThat(err.toString()).contains("the API server answered 403");
    }

    @Test
    void helpListsTheExitCodes() {
        assertThat(run(options -> null, "--help")).isZero();
        assertThat(out.toString()).contains("status", "doctor", "3   the API server cannot be reached");
    }
}
