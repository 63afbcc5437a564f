package io.activemqha.e2e.failover;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A pod this kubelet runs: its sandbox, its container processes, and the status it reports for them. */
public final class RunningPod {
    private final KubernetesClient client;
    private final Pod pod;
    private final PodSandbox sandbox;
    private final Map<String, ContainerProcess> containers;
    private final String startTime = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    RunningPod(KubernetesClient client, Pod pod, PodSandbox sandbox, Map<String, ContainerProcess> containers) {
        this.client = client;
        this.pod = pod;
        this.sandbox = sandbox;
        this.containers = Map.copyOf(containers);
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    public String namespace() {
        return pod.getMetadata().getNamespace();
    }

    /** The pod's IP in the pod network. */
    public String address() {
        return sandbox.address();
    }

    public ContainerProcess container(String name) {
        ContainerProcess container = containers.get(name);
        if (container == null) {
            throw new IllegalArgumentException("pod " + name() + " has no container " + name + " (has "
                    + containers.keySet() + ")");
        }
        return container;
    }

    /** Kills {@code container} with SIGKILL and reports the pod not ready, as the kubelet does on a container exit. */
    public void kill(String container) {
        container(container).kill();
        reportStatus();
    }

    /** Starts {@code container} again and reports the pod's readiness. */
    public void restart(String container) {
        container(container).start();
        reportStatus();
    }

    /**
     * Writes the pod's status subresource from the containers' state: phase Running, podIP/podIPs, and
     * ContainersReady/Ready true exactly while every container process runs (the example defines no readiness
     * probe, so a running container is a ready one).
     */
    public synchronized void reportStatus() {
        boolean allRunning = containers.values().stream().allMatch(ContainerProcess::isRunning);
        List<ContainerStatus> initStatuses = new ArrayList<>();
        List<ContainerStatus> statuses = new ArrayList<>();
        List<String> initNames = Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream()
                .map(Container::getName).toList();
        for (Container spec : Kubelet.startOrder(pod)) {
            ContainerProcess container = containers.get(spec.getName());
            ContainerStatus status = new ContainerStatusBuilder().withName(spec.getName()).withImage(spec.getImage())
                    .withImageID("")
                    .withReady(container.isRunning()).withStarted(container.isRunning())
                    .withRestartCount(Math.max(0, container.restarts()))
                    .withNewState().withNewRunning().withStartedAt(startTime).endRunning().endState()
                    .build();
            (initNames.contains(spec.getName()) ? initStatuses : statuses).add(status);
        }
        PodStatus status = new PodStatusBuilder().withPhase("Running").withHostIP(PodNetwork.GATEWAY)
                .withPodIP(sandbox.address()).withPodIPs(new PodIPBuilder().withIp(sandbox.address()).build())
                .withStartTime(startTime)
                .withConditions(condition("PodScheduled", true), condition("Initialized", true),
                        condition("ContainersReady", allRunning), condition("Ready", allRunning))
                .withInitContainerStatuses(initStatuses).withContainerStatuses(statuses).build();
        client.pods().inNamespace(namespace()).withName(name()).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
    }

    private PodCondition condition(String type, boolean value) {
        return new PodConditionBuilder().withType(type).withStatus(value ? "True" : "False")
                .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build();
    }

    void stopContainers() {
        containers.values().forEach(ContainerProcess::stop);
    }
}
