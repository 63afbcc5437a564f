package io.activemqha.webhook;

import io.activemqha.webhook.inject.InjectCommand;
import io.activemqha.webhook.server.SelfTestCommand;
import io.activemqha.webhook.server.ServeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code activemq-ha-webhook.jar}: {@code serve} runs the admission webhook, {@code inject} mutates manifests offline, {@code self-test} checks a running webhook end to end without a cluster. */
@Command(name = "activemq-ha-webhook", mixinStandardHelpOptions = true,
        versionProvider = WebhookMain.Version.class,
        subcommands = {ServeCommand.class, InjectCommand.class, SelfTestCommand.class},
        description = "Injects the ActiveMQ leader-labeler sidecar into pods annotated activemq-ha: \"true\".")
public final class WebhookMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new WebhookMain()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve, inject or self-test");
    }

    /** The jar's Implementation-Version, also written into the {@code activemq-ha/injected} annotation. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {InjectorVersion.current()};
        }
    }
}
