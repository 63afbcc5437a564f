package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.activemqha.common.InstallNames;
import io.activemqha.common.LabelerContract;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 5: {@code certs create} renews the serving certificate while the API server keeps admitting opted-in
 * pods through the webhook; the kubelet-style Secret swap reaches the running webhook, which serves the new
 * certificate without a restart, and no admission fails before, during or after.
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

        try (TestNamespace namespace = TestNamespace.create(client, "rotation")) {
            List<String> admitted = new CopyOnWriteArrayList<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService load = Executors.newSingleThreadExecutor();
            Future<?> admissions = load.submit(() -> admitUntilStopped(namespace, stop, admitted, failures));
            try {
                Await.untilTrue("first admissions", RELOAD, () -> admitted.size() >= 2, failures::toString);

                // A name added to the certificate: the current leaf no longer covers the request, so certs renews it
                // under the same CA (the CronJob's path when the leaf enters its renewal window; the tool refuses a
                // renewal window as long as the lifetime, so time cannot be used to force it here).
                CommandResult renewal = activeMqHa.certs("create", "--service=" + InstallNames.WEBHOOK,
                        "--namespace=" + InstallNames.NAMESPACE, "--secret=" + InstallNames.WEBHOOK_TLS_SECRET,
                        "--host=127.0.0.1", "--host=localhost");
                assertThat(renewal.stdout()).contains("wrote ");
                activeMqHa.certs("patch", "--webhook-config=" + InstallNames.WEBHOOK,
                        "--namespace=" + InstallNames.NAMESPACE, "--secret=" + InstallNames.WEBHOOK_TLS_SECRET);
                activeMqHa.projectTlsSecret();

                X509Certificate after = Await.until("the webhook to serve the renewed certificate", RELOAD, () -> {
                    X509Certificate current = activeMqHa.webhook().servingCertificate(tls.file("ca.crt"));
                    return current.getSerialNumber().equals(before.getSerialNumber())
                            ? java.util.Optional.empty() : java.util.Optional.of(current);
                }, () -> activeMqHa.webhook().process().logTail(20));
                assertThat(after.getIssuerX500Principal()).isEqualTo(before.getIssuerX500Principal());
                assertThat(after.getNotAfter()).isAfterOrEqualTo(before.getNotAfter());
                assertThat(after.getSubjectAlternativeNames()).anySatisfy(name -> assertThat(name.get(1)).isEqualTo("localhost"));

                int atSwitch = admitted.size();
                Await.untilTrue(ADMISSIONS_AFTER_SWITCH + " admissions on the renewed certificate", RELOAD,
                        () -> admitted.size() >= atSwitch + ADMISSIONS_AFTER_SWITCH, failures::toString);
            } finally {
                stop.set(true);
                admissions.get(RELOAD.toSeconds(), TimeUnit.SECONDS);
                load.shutdown();
            }

            assertThat(failures).as("admissions that failed during the rotation").isEmpty();
            assertThat(client.pods().inNamespace(namespace.name()).list().getItems())
                    .hasSize(admitted.size())
                    .allSatisfy(pod -> assertThat(pod.getSpec().getInitContainers())
                            .anySatisfy(c -> assertThat(c.getName()).isEqualTo(LabelerContract.CONTAINER_NAME)));
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
