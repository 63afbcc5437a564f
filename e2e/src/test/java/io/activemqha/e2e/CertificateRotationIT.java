package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.certs.Pem;
import io.activemqha.common.Annotations;
import io.activemqha.common.CertificateFiles;
import io.activemqha.common.InstallNames;
import io.activemqha.common.LabelerContract;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 5: {@code certs create} renews the serving certificate, and rotates the CA in its two runs, while the
 * API server keeps admitting opted-in pods through the webhook; {@code certs patch} writes the caBundle, the
 * kubelet-style Secret swap reaches the running webhook, which serves the new certificate without a restart, and no
 * admission fails before, during or after.
 */
@ExtendWith(E2eExtension.class)
@Order(6)
class CertificateRotationIT {
    private static final Duration RELOAD = Duration.ofSeconds(60);
    /** Admissions to complete on the new certificate before the load stops. */
    private static final int ADMISSIONS_AFTER_SWITCH = 5;

    private final ControlPlane plane;
    private final ActiveMqHa activeMqHa;
    private final KubernetesClient client;

    CertificateRotationIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.activeMqHa = activeMqHa;
        this.client = plane.client();
    }

    @Test
    void renewedServingCertificateIsPickedUpWhileAdmissionsKeepSucceeding() throws Exception {
        SecretVolume tls = activeMqHa.tlsVolume();
        X509Certificate before = activeMqHa.webhook().servingCertificate(tls.file("ca.crt"));

        List<String> admitted = underAdmissionLoad("renewal", () -> {
            // A name added to the certificate: the current leaf no longer covers the request, so certs renews it
            // under the same CA (the CronJob's path when the leaf enters its renewal window; the tool refuses a
            // renewal window as long as the lifetime, so time cannot be used to force it here).
            CommandResult renewal = create(hostsWith(before, "localhost"));
            assertThat(renewal.stdout()).contains("wrote ");
            patchAndProject();

            X509Certificate after = awaitServed("the renewed certificate", tls, c -> !sameSerial(c, before));
            assertThat(after.getIssuerX500Principal()).isEqualTo(before.getIssuerX500Principal());
            assertThat(after.getNotAfter()).isAfterOrEqualTo(before.getNotAfter());
            assertThat(after.getSubjectAlternativeNames()).anySatisfy(name -> assertThat(name.get(1)).isEqualTo("localhost"));
        });

        assertThat(admitted).hasSizeGreaterThanOrEqualTo(2 + ADMISSIONS_AFTER_SWITCH);
    }

    @Test
    void caRotationPublishesTheNewCaBeforeTheWebhookServesACertificateFromIt() throws Exception {
        SecretVolume tls = activeMqHa.tlsVolume();
        X509Certificate before = activeMqHa.webhook().servingCertificate(tls.file("ca.crt"));
        List<String> hosts = hostsWith(before);

        underAdmissionLoad("ca-rotation", () -> {
            // The CA key is lost (its Secret deleted): certs must rotate the CA, in two runs.
            plane.kubectl().succeed("delete", "secret", InstallNames.WEBHOOK_TLS_SECRET + CertificateFiles.CA_SECRET_SUFFIX,
                    "-n", InstallNames.NAMESPACE);

            // Run 1 publishes: ca.crt = new CA + old CA, the still-good serving certificate stays on the old CA.
            CommandResult publish = create(hosts);
            assertThat(publish.stdout()).contains("stays on the previous CA");
            patchAndProject();
            List<X509Certificate> bundle = Pem.decodeCertificates(Files.readString(tls.file("ca.crt")));
            assertThat(bundle).hasSize(2);
            assertThat(Pem.decodeCertificates(new String(Base64.getDecoder().decode(
                    activeMqHa.webhookEntry().getClientConfig().getCaBundle()), StandardCharsets.US_ASCII)))
                    .as("caBundle written by certs patch").containsExactlyElementsOf(bundle);
            assertThat(activeMqHa.webhook().servingCertificate(tls.file("ca.crt")).getSerialNumber())
                    .isEqualTo(before.getSerialNumber());

            // Run 2, once the new CA counts as published, moves the serving certificate to it.
            CommandResult move = create(hosts, "--ca-publication-delay=0s");
            assertThat(move.stdout()).contains("wrote ");
            patchAndProject();
            X509Certificate newCa = bundle.get(0);
            X509Certificate after = awaitServed("a certificate from the new CA", tls, c -> signedBy(c, newCa));
            assertThat(signedBy(after, bundle.get(1))).as("no longer from the old CA").isFalse();
        });
    }

    /**
     * Runs {@code change} while a thread creates opted-in pods back to back, then lets {@link #ADMISSIONS_AFTER_SWITCH}
     * more admissions complete, and asserts that none failed and every stored pod is injected.
     */
    private List<String> underAdmissionLoad(String prefix, ThrowingRunnable change) throws Exception {
        try (TestNamespace namespace = TestNamespace.create(client, prefix)) {
            List<String> admitted = new CopyOnWriteArrayList<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService load = Executors.newSingleThreadExecutor();
            Future<?> admissions = load.submit(() -> admitUntilStopped(namespace, stop, admitted, failures));
            try {
                Await.untilTrue("first admissions", RELOAD, () -> admitted.size() >= 2, failures::toString);
                change.run();
                int atSwitch = admitted.size();
                Await.untilTrue(ADMISSIONS_AFTER_SWITCH + " admissions after the change", RELOAD,
                        () -> admitted.size() >= atSwitch + ADMISSIONS_AFTER_SWITCH, failures::toString);
            } finally {
                stop.set(true);
                admissions.get(RELOAD.toSeconds(), TimeUnit.SECONDS);
                load.shutdown();
            }

            assertThat(failures).as("admissions that failed during the change").isEmpty();
            assertThat(client.pods().inNamespace(namespace.name()).list().getItems())
                    .hasSize(admitted.size())
                    .allSatisfy(pod -> assertThat(pod.getSpec().getInitContainers())
                            .anySatisfy(c -> assertThat(c.getName()).isEqualTo(LabelerContract.CONTAINER_NAME)));
            return admitted;
        }
    }

    /** What the test does under load; may throw anything a test may. */
    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private CommandResult create(List<String> hosts, String... extra) {
        List<String> args = new ArrayList<>(List.of("create", "--service=" + InstallNames.WEBHOOK,
                "--namespace=" + InstallNames.NAMESPACE, "--secret=" + InstallNames.WEBHOOK_TLS_SECRET));
        hosts.forEach(host -> args.add("--host=" + host));
        args.addAll(List.of(extra));
        return activeMqHa.certs(args.toArray(String[]::new));
    }

    /** What the certs Job's second container and the kubelet do after {@code create}. */
    private void patchAndProject() {
        activeMqHa.certs("patch", "--webhook-config=" + InstallNames.WEBHOOK, "--namespace=" + InstallNames.NAMESPACE,
                "--secret=" + InstallNames.WEBHOOK_TLS_SECRET);
        activeMqHa.projectTlsSecret();
    }

    private X509Certificate awaitServed(String what, SecretVolume tls, Predicate<X509Certificate> wanted) {
        return Await.until("the webhook to serve " + what, RELOAD, () -> {
            X509Certificate current = activeMqHa.webhook().servingCertificate(tls.file("ca.crt"));
            return wanted.test(current) ? Optional.of(current) : Optional.empty();
        }, () -> activeMqHa.webhook().process().logTail(20));
    }

    /** The extra hosts (beyond the Service's own names, which certs adds itself) of {@code leaf}, plus {@code more}. */
    private static List<String> hostsWith(X509Certificate leaf, String... more) throws Exception {
        List<String> hosts = new ArrayList<>();
        for (List<?> name : leaf.getSubjectAlternativeNames()) {
            String value = String.valueOf(name.get(1));
            if (!value.startsWith(InstallNames.WEBHOOK)) {
                hosts.add(value);
            }
        }
        for (String host : more) {
            if (!hosts.contains(host)) {
                hosts.add(host);
            }
        }
        return hosts;
    }

    private static boolean sameSerial(X509Certificate a, X509Certificate b) {
        return a.getSerialNumber().equals(b.getSerialNumber());
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate authority) {
        try {
            certificate.verify(authority.getPublicKey());
            return true;
        } catch (GeneralSecurityException notThisOne) {
            return false;
        }
    }

    /** Creates opted-in pods one after another, each admitted (or refused) by the API server through the webhook. */
    private void admitUntilStopped(TestNamespace namespace, AtomicBoolean stop, List<String> admitted,
                                   List<String> failures) {
        for (int i = 0; !stop.get(); i++) {
            Pod pod = new PodBuilder().withNewMetadata().withName("broker-" + i)
                    .withAnnotations(Map.of(Annotations.ENABLED, "true")).endMetadata()
                    .withNewSpec().addNewContainer().withName("broker").withImage("registry.invalid/activemq-classic:e2e")
                    .endContainer().endSpec().build();
            try {
                client.pods().inNamespace(namespace.name()).resource(pod).create();
                admitted.add(pod.getMetadata().getName());
            } catch (RuntimeException e) {
                failures.add(pod.getMetadata().getName() + ": " + e.getMessage());
            }
        }
    }
}
