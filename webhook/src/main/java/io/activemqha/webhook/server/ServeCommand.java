package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.SettingRules;
import io.activemqha.webhook.rbac.ApiClients;
import io.activemqha.webhook.server.tls.TlsFiles;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code serve}: runs the mutating admission webhook over HTTPS until the process is terminated. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = ServeDefaults.class,
        description = "Runs the mutating admission webhook (POST /mutate) over HTTPS (TLS 1.2/1.3, HTTP/2 and "
                + "HTTP/1.1), with GET /healthz, /readyz and /metrics. Every option can also be set through the "
                + "environment variable named in its description. Without --tls-cert/--tls-key (or with --dev) a "
                + "throwaway self-signed certificate for localhost is generated: for local use only.",
        footer = {"", "Exit codes: 2 invalid options (the message names the option and what is allowed), 1 failed while",
            "starting (e.g. port in use); on SIGTERM it stops accepting connections, lets in-flight reviews finish",
            "(up to 10s) and exits with the JVM's 143."})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    /** How long a terminating webhook lets in-flight reviews finish. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "Address to bind. Env ACTIVEMQ_HA_WEBHOOK_HOST. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "HTTPS port (0 picks a free one). Env ACTIVEMQ_HA_WEBHOOK_LISTEN_PORT. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--event-loops", paramLabel = "N",
            description = "Server instances, one per event loop, sharing the port (reviews run in parallel on N "
                + "cores). Env ACTIVEMQ_HA_WEBHOOK_EVENT_LOOPS. Default: the CPUs available to the JVM, here "
                + "${DEFAULT-VALUE}.")
    int eventLoops;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain, leaf first (tls.crt of a kubernetes.io/tls Secret). Re-read when it "
                + "changes. Env ACTIVEMQ_HA_WEBHOOK_TLS_CERT. Required with --tls-key unless --dev.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of the certificate (tls.key; PKCS#8, PKCS#1 or SEC1, unencrypted). Env "
                + "ACTIVEMQ_HA_WEBHOOK_TLS_KEY.")
    Path tlsKey;

    @Option(names = "--dev", arity = "0..1", paramLabel = "true|false",
            description = "Serve a generated throwaway self-signed certificate for localhost (also the behaviour without "
                + "--tls-cert/--tls-key). Env ACTIVEMQ_HA_WEBHOOK_DEV. Default: ${DEFAULT-VALUE}.")
    boolean dev;

    @Option(names = "--cert-reload-interval", paramLabel = "DURATION", converter = Durations.class,
            description = "How often the certificate files are checked for a new certificate (250ms, 5s, 1m). Env "
                + "ACTIVEMQ_HA_WEBHOOK_CERT_RELOAD_INTERVAL. Default: ${DEFAULT-VALUE}.")
    Duration certReloadInterval;

    @Option(names = "--max-body-size", paramLabel = "SIZE", converter = ByteSizes.class,
            description = "Largest accepted /mutate body (bytes, or 512Ki, 3Mi); larger bodies get 413. Env "
                + "ACTIVEMQ_HA_WEBHOOK_MAX_BODY_SIZE. Default: ${DEFAULT-VALUE}.")
    long maxBodySize;

    @Option(names = "--labeler-image", paramLabel = "IMAGE",
            description = "Image of the injected leader-labeler container (per pod: activemq-ha/labeler-image). Env "
                + "ACTIVEMQ_HA_WEBHOOK_LABELER_IMAGE. Default: ${DEFAULT-VALUE}.")
    String labelerImage;

    @Option(names = "--service-account", paramLabel = "NAME",
            description = "ServiceAccount given to annotated pods that use none or 'default'. Env "
                + "ACTIVEMQ_HA_WEBHOOK_SERVICE_ACCOUNT. Default: ${DEFAULT-VALUE}.")
    String serviceAccount;

    @Option(names = "--provision-rbac", arity = "1", paramLabel = "true|false",
            description = "Create that ServiceAccount and a RoleBinding to the ClusterRole activemq-leader-labeler in the "
                + "namespace of each injected pod (server-side apply, cached per namespace). Env "
                + "ACTIVEMQ_HA_WEBHOOK_PROVISION_RBAC. Default: ${DEFAULT-VALUE}.")
    boolean provisionRbac;

    @Option(names = "--rbac-cache-ttl", paramLabel = "DURATION", converter = Durations.class,
            description = "How long a provisioned namespace is trusted before the next pod re-applies. Env "
                + "ACTIVEMQ_HA_WEBHOOK_RBAC_CACHE_TTL. Default: ${DEFAULT-VALUE}.")
    Duration rbacCacheTtl;

    @Option(names = "--rbac-timeout", paramLabel = "DURATION", converter = Durations.class,
            description = "Bound on provisioning one namespace; keep it under the webhook's timeoutSeconds. Env "
                + "ACTIVEMQ_HA_WEBHOOK_RBAC_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    Duration rbacTimeout;

    @Option(names = "--native-sidecar", arity = "1", paramLabel = "true|false",
            description = "Inject the labeler as a native sidecar (init container with restartPolicy Always, Kubernetes "
                + "1.29+) instead of a regular container (per pod: activemq-ha/native-sidecar). Env "
                + "ACTIVEMQ_HA_WEBHOOK_NATIVE_SIDECAR. Default: ${DEFAULT-VALUE}.")
    boolean nativeSidecar;

    @Option(names = "--broker-url", paramLabel = "URL",
            description = "Broker URL the labeler probes (per pod: activemq-ha/broker-url). Env "
                + "ACTIVEMQ_HA_WEBHOOK_BROKER_URL. Default: ${DEFAULT-VALUE}.")
    String brokerUrl;

    @Option(names = "--labeler-health-port", paramLabel = "PORT",
            description = "The labeler's health/metrics port (per pod: activemq-ha/health-port). Env "
                + "ACTIVEMQ_HA_WEBHOOK_LABELER_HEALTH_PORT. Default: ${DEFAULT-VALUE}.")
    int labelerHealthPort;

    @Option(names = "--labeler-cpu-request", paramLabel = "QUANTITY",
            description = "Labeler CPU request. Env ACTIVEMQ_HA_WEBHOOK_LABELER_CPU_REQUEST. Default: ${DEFAULT-VALUE}.")
    String cpuRequest;

    @Option(names = "--labeler-cpu-limit", paramLabel = "QUANTITY",
            description = "Labeler CPU limit. Env ACTIVEMQ_HA_WEBHOOK_LABELER_CPU_LIMIT. Default: ${DEFAULT-VALUE}.")
    String cpuLimit;

    @Option(names = "--labeler-memory-request", paramLabel = "QUANTITY",
            description = "Labeler memory request. Env ACTIVEMQ_HA_WEBHOOK_LABELER_MEMORY_REQUEST. Default: ${DEFAULT-VALUE}.")
    String memoryRequest;

    @Option(names = "--labeler-memory-limit", paramLabel = "QUANTITY",
            description = "Labeler memory limit. Env ACTIVEMQ_HA_WEBHOOK_LABELER_MEMORY_LIMIT. Default: ${DEFAULT-VALUE}.")
    String memoryLimit;

    @Option(names = "--admission-log-rate", paramLabel = "LINES",
            description = "Log lines per second for allowed answers (injected, skipped); beyond it they are counted and "
                + "one line a second says how many were left out. Denials and errors are always logged. 0 logs no "
                + "allowed answers. Env ACTIVEMQ_HA_WEBHOOK_ADMISSION_LOG_RATE. Default: ${DEFAULT-VALUE}.")
    int admissionLogRate;

    @Override
    public Integer call() throws InterruptedException {
        ServeConfig config = config();
        Vertx vertx = Vertx.vertx();
        KubernetesClient client = config.rbac().provision()
                ? ApiClients.create(vertx, Config.autoConfigure(null), config.rbac().timeout())
                : null;
        WebhookApplication application = new WebhookApplication(vertx, config, client);
        try {
            application.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.error("the webhook failed to start on {}:{}: {}", config.server().host(), config.server().port(),
                    cause.toString());
            stop(application, vertx, Duration.ZERO);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: letting in-flight reviews finish for up to {}", Durations.format(SHUTDOWN_GRACE));
            stop(application, vertx, SHUTDOWN_GRACE);
            stopped.countDown();
        }, "webhook-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * Stops the application, then Vert.x, waiting for each from this (non-Vert.x) thread: chaining Vert.x's close
     * onto a future of its own event loops would complete on an already terminated loop and never be seen.
     */
    private static void stop(WebhookApplication application, Vertx vertx, Duration grace) {
        try {
            application.stop(grace).toCompletionStage().toCompletableFuture()
                    .get(grace.toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("unclean stop of the webhook: {}", e.toString());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("unclean stop of Vert.x: {}", e.toString());
        }
        LOG.info("stopped");
    }

    /**
     * The validated configuration.
     *
     * @throws CommandLine.ParameterException (exit code 2) naming every invalid option
     */
    ServeConfig config() {
        List<String> problems = new ArrayList<>();
        boolean certificateFiles = tlsCert != null || tlsKey != null;
        if (dev && certificateFiles) {
            problems.add("--dev generates its own certificate: drop --tls-cert/--tls-key, or drop --dev");
        } else if (certificateFiles && (tlsCert == null || tlsKey == null)) {
            problems.add("--tls-cert and --tls-key go together: " + (tlsCert == null ? "--tls-cert" : "--tls-key")
                + " is missing");
        }
        if (port < 0 || port > 65535) {
            problems.add("--port " + port + " must be 0-65535");
        }
        if (eventLoops < 1 || eventLoops > 256) {
            problems.add("--event-loops " + eventLoops + " must be 1-256");
        }
        if (maxBodySize < 1024) {
            problems.add("--max-body-size " + maxBodySize + " is too small for any AdmissionReview: use at least 1Ki");
        }
        if (admissionLogRate < 0) {
            problems.add("--admission-log-rate " + admissionLogRate + " must be 0 or more");
        }
        requirePositive(problems, "--cert-reload-interval", certReloadInterval);
        requirePositive(problems, "--rbac-cache-ttl", rbacCacheTtl);
        requirePositive(problems, "--rbac-timeout", rbacTimeout);
        InjectorConfig injector = new InjectorConfig(labelerImage, serviceAccount, nativeSidecar, brokerUrl,
                labelerHealthPort, new InjectorConfig.SidecarResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit));
        check(problems, "--labeler-image", labelerImage, SettingRules.image(labelerImage));
        check(problems, "--service-account", serviceAccount, SettingRules.serviceAccount(serviceAccount));
        check(problems, "--broker-url", brokerUrl, SettingRules.brokerUrl(brokerUrl));
        check(problems, "--labeler-health-port", labelerHealthPort, SettingRules.healthPort(Integer.toString(labelerHealthPort)));
        boolean quantities = check(problems, "--labeler-cpu-request", cpuRequest, SettingRules.quantity(cpuRequest))
                & check(problems, "--labeler-cpu-limit", cpuLimit, SettingRules.quantity(cpuLimit))
                & check(problems, "--labeler-memory-request", memoryRequest, SettingRules.quantity(memoryRequest))
                & check(problems, "--labeler-memory-limit", memoryLimit, SettingRules.quantity(memoryLimit));
        if (quantities) {
            SettingRules.requestWithinLimit("--labeler-cpu-request/--labeler-cpu-limit: cpu", cpuRequest, cpuLimit)
                    .ifPresent(problems::add);
            SettingRules.requestWithinLimit("--labeler-memory-request/--labeler-memory-limit: memory", memoryRequest,
                    memoryLimit).ifPresent(problems::add);
        }
        TlsFiles files = null;
        if (problems.isEmpty() && certificateFiles) {
            files = new TlsFiles(tlsCert, tlsKey);
            try {
                files.read();
            } catch (IllegalArgumentException e) {
                problems.add("--tls-cert/--tls-key: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "invalid options:\n  " + String.join("\n  ", problems));
        }
        return new ServeConfig(
                new ServerSettings(host, port, maxBodySize, eventLoops),
                new ServeConfig.TlsSettings(files, certReloadInterval),
                new ServeConfig.RbacSettings(provisionRbac, rbacCacheTtl, rbacTimeout),
                injector, admissionLogRate);
    }

    /** Adds "OPTION "VALUE" PROBLEM" when {@code problem} is present; true when the value is fine. */
    private static boolean check(List<String> problems, String option, Object value, Optional<String> problem) {
        problem.ifPresent(p -> problems.add(option + " \"" + value + "\" " + p));
        return problem.isEmpty();
    }

    private static void requirePositive(List<String> problems, String option, Duration value) {
        if (value.isZero() || value.isNegative()) {
            problems.add(option + " must be positive, got " + Durations.format(value));
        }
    }
}
