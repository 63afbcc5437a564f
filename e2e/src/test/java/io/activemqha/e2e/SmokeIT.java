package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves the harness: a real API server answers and the real controller manager turns a Deployment into pods. */
@ExtendWith(E2eExtension.class)
@Order(1)
class SmokeIT {
    private static final Duration RECONCILE = Duration.ofSeconds(60);

    private final ControlPlane plane;

    SmokeIT(ControlPlane plane) {
        this.plane = plane;
    }

    @Test
    void apiServerReportsTheVersionItWasBuiltAs() {
        String built = builtKubernetesVersion();

        assertThat(plane.client().getKubernetesVersion().getGitVersion()).isEqualTo(built);
        assertThat(plane.kubectl().succeed("get", "--raw=/version")).contains("\"gitVersion\": \"" + built + "\"");
        assertThat(plane.kubectl().succeed("get", "--raw=/readyz")).isEqualTo("ok");
    }

    @Test
    void isolatedNetworkHoldsOnlyLoopbackAndServicesGetUnroutedTestNetAddresses() {
        NetworkIsolation.requireLoopbackOnly();

        String clusterIp = plane.kubectl().succeed("get", "service", "kubernetes", "-n", "default",
                "-o", "jsonpath={.spec.clusterIP}");

        assertThat(clusterIp).startsWith("198.51.100.");
        // Nothing in this network namespace can even try to reach it: there is no route, no packet leaves.
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(clusterIp, 443), 2000);
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("Network is unreachable");
        // The API server publishes its address for pods, which exists only once a real node brings it up.
        Await.untilTrue("the kubernetes Service's endpoint " + ControlPlane.HOST_ADDRESS, Duration.ofSeconds(30),
                () -> ControlPlane.HOST_ADDRESS.equals(plane.kubectl().run("get", "endpointslices", "-n", "default",
                        "-l", "kubernetes.io/service-name=kubernetes",
                        "-o", "jsonpath={.items[*].endpoints[*].addresses[*]}").stdout()),
                () -> plane.kubectl("get", "endpointslices", "-A", "-o", "yaml").stdout());
    }

    @Test
    void deploymentThroughKubectlYieldsReplicaSetAndPendingPodsFromTheControllerManager() throws Exception {
        KubernetesClient client = plane.client();
        try (TestNamespace namespace = TestNamespace.create(client, "smoke")) {
            Path manifest = Files.writeString(plane.newDirectory("smoke").resolve("deployment.yaml"), """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: smoke
                    spec:
                      replicas: 2
                      selector:
                        matchLabels: {app: smoke}
                      template:
                        metadata:
                          labels: {app: smoke}
                        spec:
                          containers:
                          - name: main
                            image: registry.invalid/never-pulled:1
                    """);

            assertThat(plane.kubectl().succeed("apply", "-n", namespace.name(), "-f", manifest.toString()))
                    .contains("deployment.apps/smoke created");

            ReplicaSet replicaSet = Await.until("a ReplicaSet for Deployment smoke", RECONCILE, () ->
                    client.apps().replicaSets().inNamespace(namespace.name()).list().getItems().stream().findFirst(),
                    () -> plane.kubectl().run("describe", "deployment", "smoke", "-n", namespace.name()).stdout());
            assertThat(replicaSet.getMetadata().getOwnerReferences()).extracting(OwnerReference::getKind, OwnerReference::getName)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("Deployment", "smoke"));

            List<Pod> pods = Await.until("2 pods of ReplicaSet " + replicaSet.getMetadata().getName(), RECONCILE, () -> {
                List<Pod> current = client.pods().inNamespace(namespace.name()).list().getItems();
                return current.size() == 2 ? Optional.of(current) : Optional.empty();
            }, () -> plane.kubectl().run("describe", "replicaset", "-n", namespace.name()).stdout());
            assertThat(pods).allSatisfy(pod -> {
                assertThat(pod.getMetadata().getOwnerReferences()).extracting(OwnerReference::getName)
                        .containsExactly(replicaSet.getMetadata().getName());
                // no scheduler and no kubelet: the pods are stored, never run
                assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
                assertThat(pod.getSpec().getNodeName()).isNull();
                // the ServiceAccount admission plugin saw the controller-created "default" account
                assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("default");
            });
        }
    }

    private String builtKubernetesVersion() {
        Path directory = ControlPlaneBinaries.locate().kubeApiserver().getParent();
        Matcher version = Pattern.compile("control-plane-(v\\d+\\.\\d+\\.\\d+)-etcd-").matcher(directory.getFileName().toString());
        assertThat(version.find()).as("directory name %s carries the Kubernetes version", directory).isTrue();
        return version.group(1);
    }
}
