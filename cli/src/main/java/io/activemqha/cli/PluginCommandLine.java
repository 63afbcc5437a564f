package io.activemqha.cli;

import io.activemqha.cli.doctor.DoctorCommand;
import io.activemqha.cli.status.StatusCommand;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command tree of {@code kubectl activemq-ha}, with the exit codes of {@link ExitCodes}. */
@Command(name = "kubectl activemq-ha", mixinStandardHelpOptions = true,
        versionProvider = PluginCommandLine.Version.class,
        description = "Status of the activemq-ha broker groups and a doctor for the install.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all fine", "1:problems or warnings found", "2:usage error",
                "3:the API server cannot be reached or refused the request"})
public final class PluginCommandLine {
    private PluginCommandLine() {
    }

    /** The jar's Implementation-Version (the project version). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kubectl-activemq_ha " + PluginCommandLine.class.getPackage().getImplementationVersion()};
        }
    }

    /** The command line, its subcommands connected through {@code connector}. */
    public static CommandLine create(ClusterConnector connector, Clock clock, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new PluginCommandLine())
                .addSubcommand(new StatusCommand(connector, clock, out))
                .addSubcommand(new DoctorCommand(connector, clock, out));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof KubernetesClientException api) {
                err.println("error: " + ApiErrors.describe(api));
                return ExitCodes.API_UNREACHABLE;
            }
            throw e;
        });
        return commandLine;
    }
}
