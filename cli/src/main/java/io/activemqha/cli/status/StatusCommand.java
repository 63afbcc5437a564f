package io.activemqha.cli.status;

import io.activemqha.cli.ClusterConnector;
import io.activemqha.cli.ClusterOptions;
import io.activemqha.cli.ExitCodes;
import io.activemqha.cli.JsonOutput;
import io.activemqha.cli.OutputFormat;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code status [-n NS] [GROUP]}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Per HA group: the leader, the standbys, each broker and its labeler, the last transitions and "
                + "the Services with their endpoints. Exit 1 when a group has no leader or several, or a Service "
                + "routes past the group.")
public final class StatusCommand implements Callable<Integer> {
    /** Transitions shown per group. */
    private static final int TRANSITIONS = 6;

    private final ClusterConnector connector;
    private final Clock clock;
    private final PrintWriter out;

    @Mixin
    ClusterOptions cluster;

    @Option(names = {"-n", "--namespace"}, description = "Namespace (default: the kubeconfig context's).")
    String namespace;

    @Parameters(arity = "0..1", paramLabel = "GROUP", description = "Only this group (label activemq-ha/group).")
    String group;

    public StatusCommand(ClusterConnector connector, Clock clock, PrintWriter out) {
        this.connector = connector;
        this.clock = clock;
        this.out = out;
    }

    @Override
    public Integer call() {
        StatusReport report;
        try (KubernetesClient client = connector.connect(cluster)) {
            String ns = namespace != null ? namespace : client.getNamespace() != null ? client.getNamespace() : "default";
            report = new StatusAnalysis(TRANSITIONS).analyse(new StatusGatherer(client, clock).gather(ns, Optional.ofNullable(group)));
        }
        if (cluster.output() == OutputFormat.json) {
            out.println(new JsonOutput().write(report));
        } else {
            new StatusText().print(report, out);
        }
        out.flush();
        return report.healthy() ? ExitCodes.OK : ExitCodes.PROBLEMS;
    }
}
