package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.InjectorConfig;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Defaults of {@code serve}'s options: the option's environment variable when set, else the built-in default
 * (the injection defaults come from {@link InjectorConfig#defaults()}, so they are written down once).
 *
 * <p>Variables are {@code ACTIVEMQ_HA_WEBHOOK_} + the option name in upper snake case; {@code --port} reads
 * {@code ACTIVEMQ_HA_WEBHOOK_LISTEN_PORT} because Kubernetes defines {@code ACTIVEMQ_HA_WEBHOOK_PORT=tcp://…} in
 * every pod of a namespace with a Service named {@code activemq-ha-webhook} (service links).
 */
public final class ServeDefaults implements CommandLine.IDefaultValueProvider {
    /** Prefix of every environment variable of {@code serve}. */
    public static final String ENV_PREFIX = "ACTIVEMQ_HA_WEBHOOK_";

    private final Map<String, String> environment;
    private final Map<String, String> builtIn;

    /** Reads the process environment (picocli instantiates this for {@code @Command(defaultValueProvider)}). */
    public ServeDefaults() {
        this(System.getenv());
    }

    public ServeDefaults(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        InjectorConfig injector = InjectorConfig.defaults();
        this.builtIn = Map.ofEntries(
                Map.entry("--host", "0.0.0.0"),
                Map.entry("--port", "8443"),
                Map.entry("--event-loops", Integer.toString(Runtime.getRuntime().availableProcessors())),
                Map.entry("--dev", "false"),
                Map.entry("--cert-reload-interval", "5s"),
                Map.entry("--max-body-size", "3Mi"),
                Map.entry("--admission-log-rate", Integer.toString(AdmissionLog.DEFAULT_ALLOWED_PER_SECOND)),
                Map.entry("--labeler-image", injector.labelerImage()),
                Map.entry("--service-account", injector.serviceAccount()),
                Map.entry("--provision-rbac", "true"),
                Map.entry("--rbac-cache-ttl", "30s"),
                Map.entry("--rbac-timeout", "3s"),
                Map.entry("--native-sidecar", Boolean.toString(injector.nativeSidecar())),
                Map.entry("--broker-url", injector.brokerUrl()),
                Map.entry("--labeler-health-port", Integer.toString(injector.healthPort())),
                Map.entry("--labeler-cpu-request", injector.resources().cpuRequest()),
                Map.entry("--labeler-cpu-limit", injector.resources().cpuLimit()),
                Map.entry("--labeler-memory-request", injector.resources().memoryRequest()),
                Map.entry("--labeler-memory-limit", injector.resources().memoryLimit()));
    }

    /** The environment variable of an option, e.g. {@code --max-body-size} → {@code ACTIVEMQ_HA_WEBHOOK_MAX_BODY_SIZE}. */
    public static String environmentVariable(String longOption) {
        String name = "--port".equals(longOption) ? "listen-port" : longOption.substring(2);
        return ENV_PREFIX + name.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** The built-in default of an option (ignoring the environment), or {@code null} when it has none. */
    public String builtInDefault(String longOption) {
        return builtIn.get(longOption);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!(argSpec instanceof CommandLine.Model.OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        String fromEnvironment = environment.get(environmentVariable(name));
        return fromEnvironment != null ? fromEnvironment : builtIn.get(name);
    }
}
