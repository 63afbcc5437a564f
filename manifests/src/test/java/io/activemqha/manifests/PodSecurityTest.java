package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.LabelerContract;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every pod deploy/ creates (the example broker also after the real injection) passes the "restricted" Pod Security Standard its namespace enforces, and every
 * container has requests and limits (namespaces with a ResourceQuota reject pods without them).
 */
class PodSecurityTest {
    private final DeployTree tree = DeployTree.fromBuild();

    @Test
    void everyPodIsRestrictedAndBounded() {
        for (Path dir : tree.kustomizations()) {
            Rendered rendered = tree.render(dir);
            for (Namespace namespace : rendered.all(Namespace.class)) {
                assertThat(namespace.getMetadata().getLabels()).as("namespace %s", namespace.getMetadata().getName())
                        .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
            }
            Map<String, PodSpec> workloads = Workloads.podSpecs(rendered);
            workloads.forEach((workload, spec) -> {
                String where = workload + " in " + rendered.source();
                assertRestricted(where, spec);
                for (Container container : Containers.all(spec)) {
                    assertThat(container.getResources().getRequests()).as("%s/%s requests", where, container.getName())
                            .containsKeys("cpu", "memory");
                    assertThat(container.getResources().getLimits()).as("%s/%s limits", where, container.getName())
                            .containsKey("memory");
                }
            });
        }
    }

    @Test
    void theExampleBrokerStaysRestrictedAfterTheInjection() {
        assertRestrictedAfterInjection(tree.paths().example());
    }

    @Test
    void theLeaseExampleBrokerStaysRestrictedAfterTheInjection() {
        assertRestrictedAfterInjection(tree.paths().leaseExample());
    }

    private void assertRestrictedAfterInjection(java.nio.file.Path directory) {
        Rendered example = tree.render(directory);
        assertThat(example.only(Namespace.class).getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        BrokerPods pods = new BrokerPods(example.only(Deployment.class), new AdmissionReviewer(tree.installedWebhookFlags().injector()));
        Pod injected = pods.admitted(pods.created(), "activemq-" + BrokerPods.TEMPLATE_HASH + "-r5t6y");
        assertThat(Containers.all(injected.getSpec())).extracting(Container::getName).contains(LabelerContract.CONTAINER_NAME);
        assertRestricted("the injected example pod", injected.getSpec());
        for (Container container : Containers.all(injected.getSpec())) {
            assertThat(container.getResources().getRequests()).as("%s requests", container.getName()).containsKeys("cpu", "memory");
            assertThat(container.getResources().getLimits()).as("%s limits", container.getName()).containsKey("memory");
        }
    }

    private static void assertRestricted(String where, PodSpec spec) {
        PodSecurityContext pod = spec.getSecurityContext();
        assertThat(pod).as("%s pod securityContext", where).isNotNull();
        assertThat(pod.getRunAsNonRoot()).as("%s runAsNonRoot", where).isTrue();
        assertThat(pod.getRunAsUser()).as("%s runAsUser", where).isNotNull().isPositive();
        assertThat(pod.getSeccompProfile().getType()).as("%s seccomp", where).isEqualTo("RuntimeDefault");
        assertThat(spec.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getHostPID()).isNotEqualTo(Boolean.TRUE);
        for (Container container : Containers.all(spec)) {
            SecurityContext context = container.getSecurityContext();
            String name = where + "/" + container.getName();
            assertThat(context).as("%s securityContext", name).isNotNull();
            assertThat(context.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", name).isFalse();
            assertThat(context.getCapabilities().getDrop()).as("%s drops", name).containsExactly("ALL");
            assertThat(context.getCapabilities().getAdd()).as("%s adds", name).isNullOrEmpty();
            assertThat(context.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(context.getRunAsUser() == null || context.getRunAsUser() != 0L).as("%s runs as root", name).isTrue();
        }
    }
}
