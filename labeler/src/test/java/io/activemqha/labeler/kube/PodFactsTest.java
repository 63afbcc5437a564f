package io.activemqha.labeler.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.lease.OwnPod;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the lease keeper and the fencer read of a pod: the kubelet's reports of its containers. */
class PodFactsTest {
    private static ContainerStatus running(String name, String id) {
        return new ContainerStatusBuilder().withName(name).withContainerID(id).withNewState().withNewRunning()
                .endRunning().endState().build();
    }

    private static ContainerStatus terminated(String name, String id) {
        return new ContainerStatusBuilder().withName(name).withContainerID(id).withNewState().withNewTerminated()
                .withExitCode(137).endTerminated().endState().build();
    }

    private static ContainerStatus waiting(String name) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                .endWaiting().endState().build();
    }

    private static Pod pod(String phase, List<ContainerStatus> containers, List<ContainerStatus> initContainers) {
        return new PodBuilder().withNewMetadata().withName("activemq-0").withUid("uid-0").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("activemq").addNewEnv().withName(LeaseContract.ENV_LEASE_URL)
                .withValue(LeaseContract.DEFAULT_LEASE_URL).endEnv().endContainer()
                .addNewContainer().withName("metrics").endContainer()
                .addNewInitContainer().withName("leader-labeler").withRestartPolicy("Always").endInitContainer()
                .endSpec()
                .withNewStatus().withPhase(phase).withContainerStatuses(containers)
                .withInitContainerStatuses(initContainers).endStatus().build();
    }

    @Test
    void theRunningLeaseLockerContainersAreThoseGivenTheLockersEndpointThatTheKubeletReportsRunning() {
        Pod pod = pod("Running", List.of(running("activemq", "containerd://a1"), running("metrics", "containerd://m1")),
                List.of(running("leader-labeler", "containerd://l1")));

        assertThat(OwnPods.of(pod)).isEqualTo(new OwnPod("uid-0", Set.of("containerd://a1")));
    }

    @Test
    void anEndedOrWaitingBrokerContainerIsNotRunning() {
        assertThat(OwnPods.of(pod("Running", List.of(terminated("activemq", "containerd://a1")), List.of()))
                .runningLockers()).isEmpty();
        assertThat(OwnPods.of(pod("Running", List.of(waiting("activemq")), List.of())).runningLockers()).isEmpty();
        assertThat(OwnPods.of(pod("Pending", List.of(), List.of())).runningLockers()).isEmpty();
    }

    @Test
    void aPodHasEndedOnlyWhenItsKubeletReportsEveryContainerEndedOrTheWholePodFinished() {
        assertThat(PodFencer.ended(pod("Running", List.of(terminated("activemq", "a"), terminated("metrics", "m")),
                List.of(terminated("leader-labeler", "l"))))).isTrue();
        assertThat(PodFencer.ended(pod("Running", List.of(terminated("activemq", "a"), terminated("metrics", "m")),
                List.of(running("leader-labeler", "l")))))
                .as("the native sidecar still runs").isFalse();
        assertThat(PodFencer.ended(pod("Running", List.of(terminated("activemq", "a"), running("metrics", "m")),
                List.of()))).isFalse();
        assertThat(PodFencer.ended(pod("Failed", List.of(running("activemq", "a")), List.of()))).isTrue();
        assertThat(PodFencer.ended(pod("Running", List.of(), List.of()))).as("nothing reported").isFalse();
    }
}
