package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.rbac.CachingRbacProvisioner;
import io.activemqha.webhook.rbac.RbacApplier;
import io.activemqha.webhook.rbac.RbacProvisioner;
import io.activemqha.webhook.server.tls.CertificateReloader;
import io.activemqha.webhook.server.tls.DevCertificate;
import io.activemqha.webhook.server.tls.TlsCredentials;
import io.activemqha.webhook.server.tls.TlsFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running webhook: wires the reviewer, the RBAC provisioner, the HTTPS server and the certificate reloader
 * from a {@link ServeConfig}, starts them in order and stops them in reverse.
 */
public final class WebhookApplication {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookApplication.class);

    private final Vertx vertx;
    private final ServeConfig config;
    private final KubernetesClient client;
    private final WebhookMetrics metrics = new WebhookMetrics();
    private final WebhookServer server;
    private final AdmissionLog admissionLog;
    private volatile long leftOutTimer = -1;
    private volatile CertificateReloader reloader;
    private volatile DevCertificate devCertificate;
    private volatile Path devDirectory;

    /**
     * @param vertx  the event loops everything runs on
     * @param config validated configuration
     * @param client the API client for provisioning (closed by {@link #stop}); {@code null} when provisioning is off
     */
    public WebhookApplication(Vertx vertx, ServeConfig config, KubernetesClient client) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.config = Objects.requireNonNull(config, "config");
        if (config.rbac().provision() && client == null) {
            throw new IllegalArgumentException("RBAC provisioning is on but no Kubernetes client was given");
        }
        this.client = client;
        RbacProvisioner provisioner = config.rbac().provision()
                ? new CachingRbacProvisioner(vertx, new RbacApplier(client), config.rbac().cacheTtl(), System::nanoTime,
                        (namespace, succeeded) -> metrics.rbacProvisioned(succeeded))
                : RbacProvisioner.disabled();
        this.admissionLog = new AdmissionLog(config.admissionLogRate(), System::nanoTime, AdmissionLog.Sink.SLF4J);
        MutationHandler mutation = new MutationHandler(new AdmissionReviewer(config.injector()), provisioner,
                config.rbac().timeout(), metrics, admissionLog, System::nanoTime);
        this.server = new WebhookServer(vertx, config.server(), mutation, metrics, Clock.systemUTC());
    }

    /** Loads the certificate (generating one in development mode), binds, starts reloading; completes with the port. */
    public Future<Integer> start() {
        return vertx.executeBlocking(this::tlsFiles, false)
                .compose(files -> vertx.executeBlocking(files::read, false).compose(initial -> server.start(initial)
                        .map(port -> {
                            reloader = new CertificateReloader(vertx, files, config.tls().reloadInterval(), initial,
                                    server::useCredentials, metrics).start();
                            leftOutTimer = vertx.setPeriodic(1000, id -> admissionLog.reportLeftOut());
                            LOG.info("activemq-ha webhook ready on port {}: RBAC provisioning {}, certificate reload every {}",
                                    port, config.rbac().provision() ? "on (API server " + client.getMasterUrl() + ")"
                                            : "off", Durations.format(config.tls().reloadInterval()));
                            return port;
                        })));
    }

    /** Stops reloading, drains in-flight requests for up to {@code grace}, closes the API client. */
    public Future<Void> stop(Duration grace) {
        CertificateReloader current = reloader;
        if (current != null) {
            current.close();
        }
        if (leftOutTimer >= 0) {
            vertx.cancelTimer(leftOutTimer);
        }
        return server.stop(grace).eventually(() -> {
            admissionLog.reportLeftOut();
            if (client != null) {
                client.close();
            }
            deleteDevDirectory();
            return Future.succeededFuture();
        });
    }

    public WebhookServer server() {
        return server;
    }

    public WebhookMetrics metrics() {
        return metrics;
    }

    /** The pair being watched; in development mode the generated one. */
    public TlsCredentials currentCredentials() {
        CertificateReloader current = reloader;
        return current == null ? null : current.current();
    }

    /** The generated certificate in development mode, else {@code null}. */
    public DevCertificate devCertificate() {
        return devCertificate;
    }

    private TlsFiles tlsFiles() throws IOException {
        if (!config.tls().development()) {
            return config.tls().files();
        }
        devDirectory = Files.createTempDirectory("activemq-ha-webhook-dev-");
        devCertificate = DevCertificate.generate(devDirectory);
        String banner = "*".repeat(100);
        LOG.warn("\n{}\n*** DEVELOPMENT MODE: serving a THROWAWAY SELF-SIGNED certificate (serial {}) for {}.\n"
                        + "*** No Kubernetes API server trusts it. Never use this in a cluster: pass --tls-cert and --tls-key.\n"
                        + "*** Clients can trust it with: curl --cacert {}\n{}{}",
                banner, devCertificate.serialHex(), DevCertificate.HOSTS, devCertificate.caCertificate(),
                config.rbac().provision()
                        ? "*** RBAC provisioning is on: injected pods are denied unless the Kubernetes API server "
                                + client.getMasterUrl() + " accepts the applies; without a cluster pass --provision-rbac=false.\n"
                        : "",
                banner);
        return devCertificate.files();
    }

    private void deleteDevDirectory() {
        Path dir = devDirectory;
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.warn("could not delete the development certificate directory {}: {}", dir, e.toString());
        }
    }
}
