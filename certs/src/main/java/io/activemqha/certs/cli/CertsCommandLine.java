package io.activemqha.certs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The picocli command tree: {@code create}, {@code patch}, {@code check}, with one-line error reporting. */
@Command(name = "activemq-ha-certs", mixinStandardHelpOptions = true, versionProvider = CertsCommandLine.Version.class,
        description = "Certificates for the activemq-ha webhook: CA and serving certificate, Secret and caBundle.",
        synopsisSubcommandLabel = "(create | patch | check)")
public final class CertsCommandLine implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private CertsCommandLine() {
    }

    /** The command line wired to {@code environment}; run it with {@link CommandLine#execute}. */
    public static CommandLine create(CliEnvironment environment) {
        CommandLine commandLine = new CommandLine(new CertsCommandLine())
                .addSubcommand(new CreateCommand(environment))
                .addSubcommand(new PatchCommand(environment))
                .addSubcommand(new CheckCommand(environment));
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        commandLine.setParameterExceptionHandler(CertsCommandLine::usageError);
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: create, patch or check");
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("error: " + e.getMessage());
        command.getErr().println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        command.getErr().flush();
        return ExitCodes.USAGE;
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CertsCommandLine.class.getPackage().getImplementationVersion();
            return new String[] {"activemq-ha-certs " + (version == null ? "(development build)" : version)};
        }
    }
}
