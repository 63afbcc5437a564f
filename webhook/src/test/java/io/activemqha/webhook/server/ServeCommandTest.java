package io.activemqha.webhook.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.webhook.WebhookMain;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.server.tls.TestPki;
import io.activemqha.certs.ServingCertificate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing, environment defaults and validation of {@code serve} (no server is started). */
class ServeCommandTest {

    /** Parses like {@code WebhookMain} does, with {@code env} as the environment; returns the validated config. */
    private static ServeConfig parse(Map<String, String> env, String... args) {
        ServeCommand command = new ServeCommand();
        CommandLine cli = new CommandLine(command).setDefaultValueProvider(new ServeDefaults(env));
        cli.parseArgs(args);
        return command.config();
    }

    /** Runs through {@code WebhookMain}'s command line (exit code and stderr), with {@code env} as the environment. */
    private static Result run(Map<String, String> env, String... args) {
        CommandLine cli = new CommandLine(new WebhookMain());
        cli.getSubcommands().get("serve").setDefaultValueProvider(new ServeDefaults(env));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int exitCode, String out, String err) {
    }

    @Test
    void defaultsAreDocumentedOnesAndDevModeWithoutCertificateFiles() {
        ServeConfig config = parse(Map.of());

        assertThat(config.server()).isEqualTo(new ServerSettings("0.0.0.0", 8443, 3 * 1024 * 1024,
                Runtime.getRuntime().availableProcessors()));
        assertThat(config.tls().development()).isTrue();
        assertThat(config.tls().reloadInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.rbac()).isEqualTo(new ServeConfig.RbacSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(3)));
        assertThat(config.injector()).isEqualTo(InjectorConfig.defaults());
    }

    @Test
    void everyOptionIsParsed(@TempDir Path dir) throws Exception {
        ServingCertificate leaf = new TestPki("cli CA").issueLoopback();
        Path cert = Files.writeString(dir.resolve("tls.crt"), leaf.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), leaf.privateKeyPem());

        ServeConfig config = parse(Map.of(), "--host=127.0.0.1", "--port=9443", "--event-loops=3", "--tls-cert=" + cert, "--tls-key=" + key,
                "--cert-reload-interval=250ms", "--max-body-size=512Ki", "--labeler-image=registry.example/labeler:1.2",
                "--service-account=broker-labeler", "--provision-rbac=false", "--rbac-cache-ttl=1h", "--rbac-timeout=2s",
                "--native-sidecar=false", "--broker-url=ssl://localhost:61617", "--labeler-health-port=9099",
                "--labeler-cpu-request=20m", "--labeler-cpu-limit=1", "--labeler-memory-request=32Mi",
                "--labeler-memory-limit=256Mi");

        assertThat(config.server()).isEqualTo(new ServerSettings("127.0.0.1", 9443, 512 * 1024, 3));
        assertThat(config.tls().development()).isFalse();
        assertThat(config.tls().files().certificate()).isEqualTo(cert);
        assertThat(config.tls().files().privateKey()).isEqualTo(key);
        assertThat(config.tls().reloadInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.rbac()).isEqualTo(new ServeConfig.RbacSettings(false, Duration.ofHours(1), Duration.ofSeconds(2)));
        assertThat(config.injector()).isEqualTo(new InjectorConfig("registry.example/labeler:1.2", "broker-labeler", false,
                "ssl://localhost:61617", 9099, new InjectorConfig.SidecarResources("20m", "1", "32Mi", "256Mi")));
    }

    @Test
    void environmentVariablesSetDefaultsAndFlagsWin() {
        Map<String, String> env = Map.of(
                "ACTIVEMQ_HA_WEBHOOK_LISTEN_PORT", "10443",
                "ACTIVEMQ_HA_WEBHOOK_PROVISION_RBAC", "false",
                "ACTIVEMQ_HA_WEBHOOK_LABELER_IMAGE", "from-env:1",
                "ACTIVEMQ_HA_WEBHOOK_MAX_BODY_SIZE", "1Mi",
                // A Kubernetes service link for a Service named activemq-ha-webhook must not be read as the port.
                "ACTIVEMQ_HA_WEBHOOK_PORT", "tcp://10.96.0.12:443");

        ServeConfig fromEnv = parse(env);
        assertThat(fromEnv.server().port()).isEqualTo(10443);
        assertThat(fromEnv.server().maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(fromEnv.rbac().provision()).isFalse();
        assertThat(fromEnv.injector().labelerImage()).isEqualTo("from-env:1");

        ServeConfig flagsWin = parse(env, "--port=11443", "--provision-rbac=true");
        assertThat(flagsWin.server().port()).isEqualTo(11443);
        assertThat(flagsWin.rbac().provision()).isTrue();
    }

    @Test
    void helpNamesEveryOptionsEnvironmentVariableAndDefault() {
        Result help = run(Map.of(), "serve", "--help");
        assertThat(help.exitCode()).isZero();
        ServeDefaults defaults = new ServeDefaults(Map.of());
        CommandLine.Model.CommandSpec spec = new CommandLine(new ServeCommand()).getCommandSpec();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (name.equals("--help") || name.equals("--version")) {
                continue;
            }
            assertThat(String.join(" ", option.description())).as(name)
                    .contains("Env " + ServeDefaults.environmentVariable(name));
            assertThat(help.out()).contains(ServeDefaults.environmentVariable(name));
            String builtIn = defaults.builtInDefault(name);
            if (builtIn != null) {
                assertThat(help.out().replaceAll("\\s+", "")).as(name).contains("Default:" + builtIn);
            }
        }
    }

    @Test
    void invalidValuesExitWithCode2NamingTheOptionTheValueAndWhatIsAllowed(@TempDir Path dir) throws Exception {
        assertRejected(run(Map.of(), "serve", "--port=70000"), "--port 70000 must be 0-65535");
        assertRejected(run(Map.of(), "serve", "--port=https"), "Invalid value for option '--port': 'https' is not an int");
        assertRejected(run(Map.of(), "serve", "--provision-rbac=maybe"), "--provision-rbac");
        assertRejected(run(Map.of(), "serve", "--event-loops=0"), "--event-loops 0 must be 1-256");
        assertRejected(run(Map.of(), "serve", "--cert-reload-interval=5 minutes"),
                "expected a duration like 250ms, 5s, 10m or 1h, got '5 minutes'");
        assertRejected(run(Map.of(), "serve", "--max-body-size=3MB"), "e.g. 1048576, 512Ki, 3Mi), got '3MB'");
        assertRejected(run(Map.of(), "serve", "--max-body-size=10"), "--max-body-size 10 is too small");
        assertRejected(run(Map.of(), "serve", "--rbac-timeout=0s"), "--rbac-timeout must be positive, got 0ms");
        assertRejected(run(Map.of(), "serve", "--labeler-image= "), "--labeler-image \" \" must be a non-empty container image");
        assertRejected(run(Map.of(), "serve", "--broker-url=http://broker"), "--broker-url \"http://broker\" must be SCHEME://HOST:PORT");
        assertRejected(run(Map.of(), "serve", "--service-account=Broker_Labeler"), "--service-account \"Broker_Labeler\" must be a DNS subdomain");
        assertRejected(run(Map.of(), "serve", "--labeler-health-port=0"), "--labeler-health-port \"0\" must be a port number 1-65534");
        assertRejected(run(Map.of(), "serve", "--labeler-health-port=65535"),
                "--labeler-health-port \"65535\" must be a port number 1-65534 (the labeler's lease endpoint takes the next one)");
        assertRejected(run(Map.of(), "serve", "--labeler-cpu-request=lots"), "--labeler-cpu-request \"lots\" must be a non-negative Kubernetes quantity");
        assertRejected(run(Map.of(), "serve", "--labeler-memory-request=1Gi", "--labeler-memory-limit=64Mi"),
                "memory request 1Gi exceeds its limit 64Mi");
        assertRejected(run(Map.of("ACTIVEMQ_HA_WEBHOOK_LISTEN_PORT", "tcp://10.0.0.1:443"), "serve"),
                "'tcp://10.0.0.1:443' is not an int");

        Path cert = dir.resolve("tls.crt");
        assertRejected(run(Map.of(), "serve", "--tls-cert=" + cert), "--tls-cert and --tls-key go together: --tls-key is missing");
        assertRejected(run(Map.of(), "serve", "--dev", "--tls-cert=" + cert, "--tls-key=" + cert),
                "--dev generates its own certificate");
        assertRejected(run(Map.of(), "serve", "--tls-cert=" + cert, "--tls-key=" + dir.resolve("tls.key")),
                "cannot read the TLS certificate file " + cert);
        TestPki pki = new TestPki("cli CA");
        Files.writeString(cert, pki.issueLoopback().certificatePem());
        Path otherKey = Files.writeString(dir.resolve("other.key"), pki.issueLoopback().privateKeyPem());
        assertRejected(run(Map.of(), "serve", "--tls-cert=" + cert, "--tls-key=" + otherKey),
                "the private key does not belong to the certificate");

        Result several = run(Map.of(), "serve", "--port=-1", "--labeler-image=", "--broker-url=nowhere");
        assertRejected(several, "--port -1 must be 0-65535");
        assertThat(several.err()).contains("--labeler-image \"\"").contains("--broker-url \"nowhere\"");
    }

    private static void assertRejected(Result result, String message) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(message);
    }
}
