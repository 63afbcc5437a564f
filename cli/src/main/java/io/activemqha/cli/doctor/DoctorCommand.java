package io.activemqha.cli.doctor;

import io.activemqha.cli.ClusterConnector;
import io.activemqha.cli.ClusterOptions;
import io.activemqha.cli.ExitCodes;
import io.activemqha.cli.JsonOutput;
import io.activemqha.cli.OutputFormat;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code doctor}: the install checked end to end. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Checks the install end to end (webhook configuration, certificate, endpoints, policies, labeler "
                + "RBAC, annotated pods, Services) and says what to fix. Exit 1 when a check fails or warns.")
public final class DoctorCommand implements Callable<Integer> {
    private final ClusterConnector connector;
    private final Clock clock;
    private final PrintWriter out;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--warn-expiry", defaultValue = "P30D",
            description = "Warn when the webhook's certificate or its CA ends within this ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration warnExpiry;

    public DoctorCommand(ClusterConnector connector, Clock clock, PrintWriter out) {
        this.connector = connector;
        this.clock = clock;
        this.out = out;
    }

    @Override
    public Integer call() {
        DoctorReport report;
        try (KubernetesClient client = connector.connect(cluster)) {
            report = new DoctorChecks(ShippedWebhook.entry(), warnExpiry).check(new DoctorGatherer(client, clock).gather());
        }
        if (cluster.output() == OutputFormat.json) {
            out.println(new JsonOutput().write(report));
        } else {
            new DoctorText().print(report, out);
        }
        out.flush();
        return report.healthy() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
}
