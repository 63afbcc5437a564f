package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.InstallNames;
import io.activemqha.common.LabelerContract;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 3: with the webhook stopped, the API server still admits pods that did not opt in (its matchConditions
 * never call the webhook for them) and rejects opted-in pods with the webhook's name in the error
 * ({@code failurePolicy: Fail}); once the webhook is back, the ReplicaSet controller's retries create the pods.
 */
@ExtendWith(E2eExtension.class)
@Order(4)
class WebhookDownIT {
    private static final Duration RECONCILE = Duration.ofSeconds(120);

    private final ControlPlane plane;
    private final ActiveMqHa activeMqHa;
    private final KubernetesClient client;

    WebhookDownIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.activeMqHa = activeMqHa;
        this.client = plane.client();
    }

    @Test
    void onlyOptedInPodsAreRejectedWhileTheWebhookIsDownAndTheReplicaSetRecoversAfterARestart() throws Exception {
        try (TestNamespace namespace = TestNamespace.create(client, "webhook-down")) {
            Path manifests = plane.newDirectory("webhook-down");
            activeMqHa.stopWebhook();
            try {
                CommandResult plain = create(namespace, manifests, "plain.yaml", Manifests.brokerPod("plain", null));
                CommandResult optedOut = create(namespace, manifests, "opted-out.yaml", Manifests.brokerPod("opted-out", "false"));
                CommandResult optedIn = create(namespace, manifests, "opted-in.yaml", Manifests.brokerPod("opted-in", "true"));

                assertThat(plain.exitCode()).as("unannotated pod: %s", plain.stderr()).isZero();
                assertThat(optedOut.exitCode()).as("activemq-ha=false pod: %s", optedOut.stderr()).isZero();
                assertThat(optedIn.exitCode()).isEqualTo(1);
                assertThat(optedIn.stderr())
                        .contains("failed calling webhook \"" + InstallNames.WEBHOOK_ENTRY + "\"")
                        .contains("127.0.0.1")
                        .contains("connection refused");
                assertThat(client.pods().inNamespace(namespace.name()).withName("plain").get().getSpec().getContainers())
                        .as("not injected").hasSize(1);

                assertThat(create(namespace, manifests, "deployment.yaml", Manifests.brokerDeployment("brokers")).exitCode())
                        .isZero();
                String failure = Await.until("the ReplicaSet to report the webhook failure", RECONCILE,
                        () -> replicaSet(namespace).flatMap(rs -> Optional.ofNullable(rs.getStatus().getConditions()))
                                .flatMap(conditions -> conditions.stream()
                                        .filter(c -> c.getType().equals("ReplicaFailure")).findFirst())
                                .map(condition -> condition.getMessage()),
                        () -> plane.kubectl("describe", "replicasets", "-n", namespace.name()).stdout());
                assertThat(failure).contains(InstallNames.WEBHOOK_ENTRY);
                assertThat(brokerPods(namespace)).isEmpty();
            } finally {
                activeMqHa.startWebhook();
            }

            List<Pod> pods = Await.until("the ReplicaSet's pod after the webhook restarted", RECONCILE, () -> {
                List<Pod> current = brokerPods(namespace);
                return current.isEmpty() ? Optional.empty() : Optional.of(current);
            }, () -> plane.kubectl("describe", "replicasets", "-n", namespace.name()).stdout());
            assertThat(pods).singleElement().satisfies(pod -> assertThat(pod.getSpec().getInitContainers())
                    .anySatisfy(c -> assertThat(c.getName()).isEqualTo(LabelerContract.CONTAINER_NAME)));
        }
    }

    private CommandResult create(TestNamespace namespace, Path directory, String file, String manifest) throws Exception {
        return plane.kubectl("create", "-n", namespace.name(), "-f", Files.writeString(directory.resolve(file), manifest)
                .toString());
    }

    private Optional<ReplicaSet> replicaSet(TestNamespace namespace) {
        return client.apps().replicaSets().inNamespace(namespace.name()).list().getItems().stream().findFirst();
    }

    private List<Pod> brokerPods(TestNamespace namespace) {
        return client.pods().inNamespace(namespace.name()).withLabel("app", "brokers").list().getItems();
    }
}
