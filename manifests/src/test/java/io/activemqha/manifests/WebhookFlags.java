package io.activemqha.manifests;

import io.activemqha.webhook.WebhookMain;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.server.ServeDefaults;
import io.fabric8.kubernetes.api.model.Container;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/**
 * The webhook container's command line as the real {@code serve} command parses it, with the container's env as the
 * source of option defaults, exactly as in the pod. Unknown options fail here as they would at start-up.
 * {@link #injector()} is the injection configuration the deployed webhook runs with.
 */
record WebhookFlags(int port, Path tlsCert, Path tlsKey, String labelerImage, String serviceAccount, boolean provisionRbac,
                    Duration rbacTimeout, InjectorConfig injector) {

    static WebhookFlags of(Container container) {
        List<String> args = Containers.expandedArgs(container);
        if (args.isEmpty() || !args.get(0).equals("serve")) {
            throw new AssertionError("the webhook container must run `serve`, its args are " + args);
        }
        CommandLine main = new CommandLine(new WebhookMain());
        CommandLine serve = main.getSubcommands().get("serve");
        serve.setDefaultValueProvider(new ServeDefaults(Containers.literalEnv(container)));
        CommandLine.ParseResult parsed;
        try {
            parsed = main.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("`serve` rejects the webhook container's args " + args + ": " + e.getMessage(), e);
        }
        CommandLine.Model.CommandSpec spec = parsed.subcommand().commandSpec();
        return new WebhookFlags(
                spec.findOption("--port").getValue(),
                spec.findOption("--tls-cert").getValue(),
                spec.findOption("--tls-key").getValue(),
                spec.findOption("--labeler-image").getValue(),
                spec.findOption("--service-account").getValue(),
                spec.findOption("--provision-rbac").getValue(),
                spec.findOption("--rbac-timeout").getValue(),
                new InjectorConfig(
                        spec.findOption("--labeler-image").getValue(),
                        spec.findOption("--service-account").getValue(),
                        spec.findOption("--native-sidecar").getValue(),
                        spec.findOption("--broker-url").getValue(),
                        spec.findOption("--labeler-health-port").getValue(),
                        new InjectorConfig.SidecarResources(
                                spec.findOption("--labeler-cpu-request").getValue(),
                                spec.findOption("--labeler-cpu-limit").getValue(),
                                spec.findOption("--labeler-memory-request").getValue(),
                                spec.findOption("--labeler-memory-limit").getValue())));
    }
}
