package io.activemqha.e2e;

import io.activemqha.common.InstallNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * activemq-ha installed on a test control plane the way a user installs it, with the webhook as a local process:
 * {@code kubectl apply -k deploy/install}; {@code certs create} and {@code certs patch} run as the certs Job's
 * ServiceAccount; the webhook runs as its own ServiceAccount with the Secret projected like a kubelet would.
 *
 * <p>Routing: there is no kube-proxy and no pod network here, so the Service in deploy/install cannot carry traffic.
 * The test points the MutatingWebhookConfiguration's clientConfig at {@code url: https://127.0.0.1:<port>/mutate}
 * instead (replacing the service reference), and {@code certs create --host 127.0.0.1} puts that address in the
 * serving certificate: the API server verifies the real chain from the caBundle {@code certs patch} wrote, for the
 * host it dials.
 */
public final class ActiveMqHa implements AutoCloseable {
    /** What the injected sidecar names as its image; nothing pulls it (no kubelet). */
    public static final String LABELER_IMAGE = "registry.invalid/activemq-ha/leader-labeler:e2e";
    private static final Duration CERTS_TIMEOUT = Duration.ofSeconds(90);

    private final ControlPlane plane;
    private final ProductJars jars;
    private final Path certsKubeconfig;
    private final WebhookProcess.Settings webhookSettings;
    private WebhookProcess webhook;

    private ActiveMqHa(ControlPlane plane, ProductJars jars, Path certsKubeconfig, WebhookProcess.Settings webhookSettings) {
        this.plane = plane;
        this.jars = jars;
        this.certsKubeconfig = certsKubeconfig;
        this.webhookSettings = webhookSettings;
    }

    /** Installs, issues the certificate, routes the webhook to a local port and starts the webhook there. */
    public static ActiveMqHa install(ControlPlane plane, ProductJars jars, Path projectRoot, Path logDirectory) {
        plane.kubectl().succeed("apply", "-k", projectRoot.resolve("deploy/install").toString());
        Path certsKubeconfig = plane.writeServiceAccountKubeconfig(InstallNames.NAMESPACE, InstallNames.CERTS_SERVICE_ACCOUNT);
        Path webhookKubeconfig = plane.writeServiceAccountKubeconfig(InstallNames.NAMESPACE,
                InstallNames.WEBHOOK_SERVICE_ACCOUNT);
        WebhookProcess.Settings settings = new WebhookProcess.Settings(jars.webhook(), LoopbackPorts.free(),
                new SecretVolume(plane.newDirectory("webhook-tls")), webhookKubeconfig, LABELER_IMAGE,
                logDirectory.resolve("webhook.log"));
        ActiveMqHa installation = new ActiveMqHa(plane, jars, certsKubeconfig, settings);
        installation.certs("create", "--service=" + InstallNames.WEBHOOK, "--namespace=" + InstallNames.NAMESPACE,
                "--secret=" + InstallNames.WEBHOOK_TLS_SECRET, "--host=127.0.0.1");
        installation.routeToLocalWebhook();
        installation.projectTlsSecret();
        installation.startWebhook();
        return installation;
    }

    /**
     * Points the webhook configuration at the local webhook again if something (a re-apply of deploy/install)
     * restored the Service reference, and has {@code certs patch} (re)write the caBundle.
     */
    public void routeToLocalWebhook() {
        String url = "https://127.0.0.1:" + webhookSettings.port() + InstallNames.WEBHOOK_PATH;
        WebhookClientConfig clientConfig = webhookEntry().getClientConfig();
        boolean routed = url.equals(clientConfig.getUrl()) && clientConfig.getService() == null;
        if (!routed) {
            plane.kubectl().succeed("patch", "mutatingwebhookconfiguration", InstallNames.WEBHOOK, "--type=json",
                    "-p=[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig\",\"value\":{\"url\":\"" + url + "\"}}]");
        }
        if (!routed || clientConfig.getCaBundle() == null || clientConfig.getCaBundle().isEmpty()) {
            certs("patch", "--webhook-config=" + InstallNames.WEBHOOK, "--namespace=" + InstallNames.NAMESPACE,
                    "--secret=" + InstallNames.WEBHOOK_TLS_SECRET);
        }
    }

    /** Copies the TLS Secret into the webhook's volume, as the kubelet does when the Secret changes. */
    public void projectTlsSecret() {
        Secret secret = plane.client().secrets().inNamespace(InstallNames.NAMESPACE)
                .withName(InstallNames.WEBHOOK_TLS_SECRET).get();
        if (secret == null) {
            throw new IllegalStateException("certs create wrote no Secret " + InstallNames.WEBHOOK_TLS_SECRET);
        }
        webhookSettings.tls().project(secret);
    }

    /** Runs the certs CLI as the certs Job's ServiceAccount; fails with its output when it exits non-zero. */
    public CommandResult certs(String... args) {
        List<String> command = new ArrayList<>(List.of(ProductJars.java(), "-jar", jars.certs().toString()));
        command.addAll(List.of(args));
        CommandResult result = Commands.run(command, Map.of("KUBECONFIG", certsKubeconfig.toString()), CERTS_TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException("certs " + String.join(" ", args) + " exited " + result.exitCode()
                    + "\nstdout: " + result.stdout() + "\nstderr: " + result.stderr());
        }
        return result;
    }

    /** Starts the webhook (if stopped) and waits until it is ready. */
    public void startWebhook() {
        if (webhook == null) {
            webhook = WebhookProcess.start(webhookSettings);
        }
    }

    /** Stops the webhook: admissions that need it now fail. */
    public void stopWebhook() {
        if (webhook != null) {
            webhook.close();
            webhook = null;
        }
    }

    public WebhookProcess webhook() {
        if (webhook == null) {
            throw new IllegalStateException("the webhook is stopped");
        }
        return webhook;
    }

    public SecretVolume tlsVolume() {
        return webhookSettings.tls();
    }

    /** The webhook entry of the MutatingWebhookConfiguration as stored. */
    public MutatingWebhook webhookEntry() {
        return plane.client().admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(InstallNames.WEBHOOK).get().getWebhooks().get(0);
    }

    @Override
    public void close() {
        stopWebhook();
    }
}
