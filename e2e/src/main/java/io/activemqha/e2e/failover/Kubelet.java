package io.activemqha.e2e.failover;

import io.activemqha.common.LabelerContract;
import io.activemqha.e2e.ControlPlane;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node agent of local processes, doing what the kubelet does for the failover scenarios: registers a Node, binds
 * pods to it, gives each pod a network namespace and address ({@link PodNetwork}), realises its volumes (ConfigMap,
 * the shared claim, emptyDir, the projected service-account token requested for exactly that pod), starts its
 * containers as processes with the environment of the admitted spec, and reports the pod's status. Container images
 * are not pulled: {@link ContainerImages} says which local program stands for which container.
 *
 * <p>The API server listens on 127.0.0.1 of the test's namespace; pods reach it through a {@link TcpRelay} on the
 * gateway, announced the kubelet way ({@code KUBERNETES_SERVICE_HOST}/{@code _PORT}).
 */
public final class Kubelet implements AutoCloseable {
    private final ControlPlane plane;
    private final String nodeName;
    private final PodNetwork network;
    private final TcpRelay apiRelay;
    private final ContainerImages images;
    private final Path stateDirectory;
    private final Path logDirectory;
    private final Map<String, Path> claims = new HashMap<>();
    private final List<RunningPod> pods = new ArrayList<>();

    private Kubelet(ControlPlane plane, String nodeName, PodNetwork network, TcpRelay apiRelay, ContainerImages images,
                    Path stateDirectory, Path logDirectory) {
        this.plane = plane;
        this.nodeName = nodeName;
        this.network = network;
        this.apiRelay = apiRelay;
        this.images = images;
        this.stateDirectory = stateDirectory;
        this.logDirectory = logDirectory;
    }

    /** Creates the pod network and the API relay and registers Node {@code nodeName}. */
    public static Kubelet start(ControlPlane plane, String nodeName, ContainerImages images, Path logDirectory) {
        PodNetwork network = PodNetwork.create(logDirectory);
        TcpRelay relay = null;
        try {
            relay = TcpRelay.start(PodNetwork.GATEWAY, URI.create(plane.server()).getPort());
            Kubelet kubelet = new Kubelet(plane, nodeName, network, relay, images, plane.newDirectory("kubelet-"),
                    logDirectory);
            plane.client().nodes().resource(new NodeBuilder().withNewMetadata().withName(nodeName)
                    .addToLabels("kubernetes.io/hostname", nodeName).endMetadata().build()).createOr(n -> n.update());
            return kubelet;
        } catch (RuntimeException e) {
            if (relay != null) {
                relay.close();
            }
            network.close();
            throw e;
        }
    }

    public String nodeName() {
        return nodeName;
    }

    /**
     * Cuts the pods off the API server: the relay they reach it through closes every connection and refuses new ones
     * until {@link #reconnectApiServer()}. The API server itself keeps serving everyone else (the test, the
     * controllers).
     */
    public void disconnectApiServer() {
        apiRelay.cut();
    }

    /** Lets the pods reach the API server again after {@link #disconnectApiServer()}. */
    public void reconnectApiServer() {
        apiRelay.restore();
    }

    /** Binds {@code pod} to this node, sets up its sandbox and volumes, starts its containers and reports Running. */
    public synchronized RunningPod run(Pod pod) {
        KubernetesClient client = plane.client();
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        client.bindings().inNamespace(namespace).resource(new BindingBuilder().withNewMetadata().withName(name)
                .endMetadata().withNewTarget().withApiVersion("v1").withKind("Node").withName(nodeName).endTarget()
                .build()).create();
        Pod bound = client.pods().inNamespace(namespace).withName(name).get();
        PodSandbox sandbox = network.createSandbox(name);
        Path podDirectory = directory(stateDirectory.resolve(namespace).resolve(name));
        Map<String, Path> volumes = realiseVolumes(bound, sandbox, podDirectory);
        Map<String, ContainerProcess> containers = new LinkedHashMap<>();
        for (Container container : startOrder(bound)) {
            ContainerFilesystem filesystem = mounts(container, volumes);
            Map<String, String> environment = new LinkedHashMap<>(environment(bound, sandbox, container));
            environment.put("KUBERNETES_SERVICE_HOST", PodNetwork.GATEWAY);
            environment.put("KUBERNETES_SERVICE_PORT", String.valueOf(apiRelay.port()));
            if (filesystem.mounts().containsKey(LabelerContract.TOKEN_MOUNT_PATH)) {
                // Without a mount namespace the volume cannot sit at the standard path: fabric8's own settings name
                // the files where this kubelet projected them.
                environment.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN",
                        filesystem.resolve(LabelerContract.TOKEN_MOUNT_PATH + "/token").toString());
                environment.put("KUBERNETES_CERTS_CA_FILE",
                        filesystem.resolve(LabelerContract.TOKEN_MOUNT_PATH + "/ca.crt").toString());
                environment.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
            }
            ContainerImages.Program program = images.programFor(container, filesystem);
            Map<String, String> processEnvironment = new LinkedHashMap<>(environment);
            processEnvironment.putAll(program.extraEnvironment());
            containers.put(container.getName(), new ContainerProcess(container.getName(), sandbox.inNamespace(
                    program.command()), processEnvironment, environment, logDirectory.resolve(
                    "pod-" + name + "-" + container.getName() + ".log")));
        }
        RunningPod running = new RunningPod(client, bound, sandbox, containers);
        pods.add(running);
        containers.values().forEach(ContainerProcess::start);
        running.reportStatus();
        return running;
    }

    /**
     * Native sidecars (init containers with restartPolicy Always, as the webhook injects the labeler) first, then
     * the regular containers. Init containers that run to completion are not supported by this kubelet.
     */
    static List<Container> startOrder(Pod pod) {
        List<Container> order = new ArrayList<>();
        for (Container init : Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of())) {
            if (!"Always".equals(init.getRestartPolicy())) {
                throw new IllegalArgumentException("pod " + pod.getMetadata().getName() + ": init container "
                        + init.getName() + " runs to completion, which this kubelet does not support");
            }
            order.add(init);
        }
        order.addAll(pod.getSpec().getContainers());
        return order;
    }

    private Map<String, Path> realiseVolumes(Pod pod, PodSandbox sandbox, Path podDirectory) {
        Map<String, Path> volumes = new HashMap<>();
        for (Volume volume : pod.getSpec().getVolumes()) {
            Path target = podDirectory.resolve("volumes").resolve(volume.getName());
            if (volume.getConfigMap() != null) {
                writeConfigMap(pod, volume.getConfigMap().getName(), directory(target), null);
            } else if (volume.getPersistentVolumeClaim() != null) {
                // One directory per claim on this node: every pod mounting the claim shares it, as they share the
                // NFS export in the example.
                target = claims.computeIfAbsent(pod.getMetadata().getNamespace() + "/"
                                + volume.getPersistentVolumeClaim().getClaimName(),
                        claim -> directory(stateDirectory.resolve("claims").resolve(claim.replace('/', '-'))));
            } else if (volume.getEmptyDir() != null) {
                directory(target);
            } else if (volume.getProjected() != null) {
                project(pod, volume.getProjected().getSources(), directory(target));
            } else {
                throw new IllegalArgumentException("pod " + pod.getMetadata().getName() + ": volume "
                        + volume.getName() + " is of a kind this kubelet does not provide");
            }
            volumes.put(volume.getName(), target);
        }
        return volumes;
    }

    private void project(Pod pod, List<VolumeProjection> sources, Path target) {
        for (VolumeProjection source : sources) {
            if (source.getServiceAccountToken() != null) {
                var spec = new TokenRequestBuilder().withNewSpec()
                        .withExpirationSeconds(Optional.ofNullable(source.getServiceAccountToken().getExpirationSeconds())
                                .orElse(3600L))
                        .withAudiences(source.getServiceAccountToken().getAudience() == null ? List.of()
                                : List.of(source.getServiceAccountToken().getAudience()))
                        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod")
                        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                        .endBoundObjectRef().endSpec().build();
                String token = plane.client().serviceAccounts().inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getSpec().getServiceAccountName()).tokenRequest(spec).getStatus().getToken();
                write(target.resolve(source.getServiceAccountToken().getPath()), token);
            } else if (source.getConfigMap() != null) {
                Map<String, String> items = new HashMap<>();
                Optional.ofNullable(source.getConfigMap().getItems()).orElse(List.of())
                        .forEach(item -> items.put(item.getKey(), item.getPath()));
                writeConfigMap(pod, source.getConfigMap().getName(), target, items.isEmpty() ? null : items);
            } else if (source.getDownwardAPI() != null) {
                source.getDownwardAPI().getItems().forEach(item -> write(target.resolve(item.getPath()),
                        field(pod, null, item.getFieldRef().getFieldPath())));
            } else {
                throw new IllegalArgumentException("pod " + pod.getMetadata().getName()
                        + ": a projected source this kubelet does not provide: " + source);
            }
        }
    }

    private void writeConfigMap(Pod pod, String name, Path target, Map<String, String> items) {
        ConfigMap configMap = plane.client().configMaps().inNamespace(pod.getMetadata().getNamespace()).withName(name)
                .get();
        if (configMap == null) {
            throw new IllegalStateException("pod " + pod.getMetadata().getName() + ": ConfigMap " + name + " not found");
        }
        configMap.getData().forEach((key, value) -> {
            if (items == null || items.containsKey(key)) {
                write(target.resolve(items == null ? key : items.get(key)), value);
            }
        });
    }

    private static ContainerFilesystem mounts(Container container, Map<String, Path> volumes) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
            Path volume = volumes.get(mount.getName());
            if (volume == null) {
                throw new IllegalArgumentException("container " + container.getName() + " mounts unknown volume "
                        + mount.getName());
            }
            mounts.put(mount.getMountPath(), mount.getSubPath() == null || mount.getSubPath().isEmpty() ? volume
                    : volume.resolve(mount.getSubPath()));
        }
        return new ContainerFilesystem(mounts);
    }

    /** The container's environment as the admitted spec defines it, field references resolved. */
    static Map<String, String> environment(Pod pod, PodSandbox sandbox, Container container) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (EnvVar variable : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
            if (variable.getValueFrom() == null) {
                environment.put(variable.getName(), Optional.ofNullable(variable.getValue()).orElse(""));
            } else if (variable.getValueFrom().getFieldRef() != null) {
                environment.put(variable.getName(),
                        field(pod, sandbox, variable.getValueFrom().getFieldRef().getFieldPath()));
            } else {
                throw new IllegalArgumentException("container " + container.getName() + ": env " + variable.getName()
                        + " uses a source this kubelet does not resolve: " + variable.getValueFrom());
            }
        }
        return environment;
    }

    private static String field(Pod pod, PodSandbox sandbox, String path) {
        return switch (path) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
            case "spec.nodeName" -> pod.getSpec().getNodeName();
            case "status.podIP" -> {
                if (sandbox == null) {
                    throw new IllegalArgumentException("status.podIP is not available in a volume");
                }
                yield sandbox.address();
            }
            default -> throw new IllegalArgumentException("field reference " + path + " is not resolved by this kubelet");
        };
    }

    private static Path directory(Path path) {
        try {
            return Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every container, removes the pods' namespaces, the relay and the bridge, and deletes the Node. */
    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        for (RunningPod pod : pods) {
            try {
                pod.stopContainers();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        pods.clear();
        apiRelay.close();
        try {
            network.close();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        try {
            plane.client().nodes().withName(nodeName).delete();
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
