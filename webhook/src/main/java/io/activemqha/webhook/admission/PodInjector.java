package io.activemqha.webhook.admission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import io.activemqha.common.Annotations;
import io.activemqha.common.Labels;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.InjectorVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;

/**
 * The injection itself, a pure function from a pod to its injected copy (the input is never modified). Used by the
 * admission webhook ({@link AdmissionReviewer}) and offline by {@code inject}, so both produce the same pod.
 *
 * <p>An injected pod gets the {@code leader: "no"} and {@code activemq-ha/group} labels, the labeler's service
 * account when it had none, a {@code leader-labeler} container with its own projected API token, token isolation
 * for the other containers (unless {@code activemq-ha/broker-api-access: "true"}), with
 * {@code activemq-ha/locker: "lease"} the lease locker ({@link LeaseLockerInjection}), and the
 * {@code activemq-ha/injected} marker that makes a second injection a no-op.
 */
public final class PodInjector {
    /** Where the ServiceAccount admission plugin's token volume names start. */
    static final String PLUGIN_TOKEN_VOLUME_PREFIX = "kube-api-access-";
    /** Token lifetime the ServiceAccount admission plugin also uses; the kubelet refreshes it well before expiry. */
    static final long TOKEN_EXPIRATION_SECONDS = 3607L;
    static final String ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";
    static final String HEALTH_PORT_NAME = "labeler-health";
    private static final int PROJECTED_DEFAULT_MODE = 0644;
    private static final String DEFAULT_SERVICE_ACCOUNT = "default";

    private final InjectorConfig config;

    public PodInjector(InjectorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** Decides whether and how to inject {@code pod}; never modifies it. */
    public Injection inject(Pod pod, InjectionContext context) {
        ObjectMeta metadata = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
        Map<String, String> annotations = metadata.getAnnotations() == null ? Map.of() : metadata.getAnnotations();
        String enabled = annotations.get(Annotations.ENABLED);
        if (enabled == null) {
            return Injection.skipped("not annotated");
        }
        if ("false".equals(enabled)) {
            return Injection.skipped("annotation " + Annotations.ENABLED + " is false");
        }
        if (!"true".equals(enabled)) {
            return Injection.denied("invalid annotation " + Annotations.ENABLED, "annotation " + Annotations.ENABLED
                    + "=\"" + enabled + "\" is invalid: must be \"true\" (inject the leader-labeler) or \"false\" (leave the pod alone)");
        }
        if (annotations.containsKey(Annotations.INJECTED)) {
            return Injection.skipped("already injected");
        }
        PodOverrides.Parsed parsed = PodOverrides.parse(annotations, config);
        List<String> errors = new ArrayList<>(parsed.errors());
        PodOverrides overrides = parsed.overrides();
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        List<String> emptyEntries = emptyEntries(metadata, spec);
        if (!emptyEntries.isEmpty()) {
            return Injection.denied("invalid pod", String.join("; ", emptyEntries));
        }
        errors.addAll(conflicts(spec, overrides));
        if (overrides.lease() != null) {
            errors.addAll(LeaseLockerInjection.conflicts(spec, overrides.lease()));
        }
        String group = overrides.group();
        if (group == null && errors.isEmpty()) {
            Optional<String> derived = HaGroup.derive(metadata, context);
            if (derived.isEmpty()) {
                errors.add("the HA group cannot be derived (no owner, name or generateName): set annotation " + Annotations.GROUP);
            } else if (SettingRules.groupName(derived.get()).isPresent()) {
                errors.add("the derived HA group \"" + derived.get() + "\" is not a valid label value (at most 63 characters"
                        + " [A-Za-z0-9-_.]): set annotation " + Annotations.GROUP);
            } else {
                group = derived.get();
            }
        }
        if (!errors.isEmpty()) {
            return Injection.denied(errors.size() == 1 ? "invalid pod" : errors.size() + " problems", String.join("; ", errors));
        }
        return injected(pod, overrides, group);
    }

    private Injection injected(Pod original, PodOverrides overrides, String group) {
        // The builder copies deeply, so the mutations below never reach the caller's pod.
        Pod pod = new PodBuilder(original).build();
        if (pod.getMetadata() == null) {
            pod.setMetadata(new ObjectMeta());
        }
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        ObjectMeta metadata = pod.getMetadata();
        Map<String, String> labels = new LinkedHashMap<>(metadata.getLabels() == null ? Map.of() : metadata.getLabels());
        labels.put(Labels.LEADER, Labels.LEADER_NO);
        labels.put(Labels.GROUP, group);
        metadata.setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>(metadata.getAnnotations());
        annotations.put(Annotations.INJECTED, InjectorVersion.current());
        metadata.setAnnotations(annotations);

        PodSpec spec = pod.getSpec();
        List<String> warnings = new ArrayList<>();
        String account = spec.getServiceAccountName();
        if (account == null || account.isEmpty()) {
            // An old manifest may name its account only through the deprecated alias, which the API server honours.
            account = spec.getServiceAccount();
        }
        if (account == null || account.isEmpty() || DEFAULT_SERVICE_ACCOUNT.equals(account)) {
            account = config.serviceAccount();
            spec.setServiceAccountName(account);
            if (spec.getServiceAccount() != null) {
                // The deprecated alias must not contradict the real field.
                spec.setServiceAccount(account);
            }
        } else {
            spec.setServiceAccountName(account);
        }
        if (!account.equals(config.serviceAccount())) {
            warnings.add("service account \"" + account + "\" is kept: bind it to ClusterRole "
                    + RbacNames.LABELER_CLUSTER_ROLE + " for the leader-labeler");
        }
        if (!overrides.brokerApiAccess()) {
            isolateToken(spec);
        }
        Pod prepared = new PodBuilder(pod).build();
        Pod equipped = null;
        if (overrides.lease() != null) {
            LeaseLockerInjection.equipApplicationContainers(spec, overrides.lease(), overrides.healthPort());
            equipped = new PodBuilder(pod).build();
        }
        List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
        volumes.add(labelerTokenVolume());
        spec.setVolumes(volumes);
        Container labeler = labelerContainer(overrides, group);
        if (overrides.nativeSidecar()) {
            List<Container> init = new ArrayList<>();
            init.add(labeler);
            if (spec.getInitContainers() != null) {
                init.addAll(spec.getInitContainers());
            }
            spec.setInitContainers(init);
        } else {
            List<Container> containers = new ArrayList<>(spec.getContainers() == null ? List.of() : spec.getContainers());
            containers.add(labeler);
            spec.setContainers(containers);
        }
        if (overrides.lease() != null) {
            LeaseLockerInjection.addInstaller(spec, labeler);
        }
        String provision = account.equals(config.serviceAccount()) ? account : null;
        return new Injection(Outcome.INJECTED, pod, prepared, equipped, "injected", null, warnings, provision);
    }

    /**
     * Null entries in the lists the injection reads or rewrites (YAML's "- " with nothing after it): no valid pod has
     * them, and the API server would refuse the pod anyway; saying where beats failing on them.
     */
    private static List<String> emptyEntries(ObjectMeta metadata, PodSpec spec) {
        List<String> problems = new ArrayList<>();
        requireNoNulls("metadata.ownerReferences", metadata.getOwnerReferences(), problems);
        requireNoNulls("spec.initContainers", spec.getInitContainers(), problems);
        requireNoNulls("spec.containers", spec.getContainers(), problems);
        requireNoNulls("spec.volumes", spec.getVolumes(), problems);
        if (problems.isEmpty()) {
            allContainers(spec).forEach(c -> {
                requireNoNulls("container " + c.getName() + " ports", c.getPorts(), problems);
                requireNoNulls("container " + c.getName() + " volumeMounts", c.getVolumeMounts(), problems);
            });
        }
        return problems;
    }

    private static void requireNoNulls(String where, List<?> entries, List<String> problems) {
        for (int i = 0; entries != null && i < entries.size(); i++) {
            if (entries.get(i) == null) {
                problems.add(where + "[" + i + "] is empty: not a valid pod");
            }
        }
    }

    /** What in the pod makes the injection impossible. */
    private static List<String> conflicts(PodSpec spec, PodOverrides overrides) {
        List<String> conflicts = new ArrayList<>();
        if (allContainers(spec).anyMatch(c -> LabelerContract.CONTAINER_NAME.equals(c.getName()))) {
            conflicts.add("the pod already has a container named " + LabelerContract.CONTAINER_NAME
                    + " but no annotation " + Annotations.INJECTED + ": remove that container");
        }
        if (spec.getVolumes() != null && spec.getVolumes().stream().anyMatch(v -> LabelerContract.TOKEN_VOLUME_NAME.equals(v.getName()))) {
            conflicts.add("the pod already has a volume named " + LabelerContract.TOKEN_VOLUME_NAME + ": rename it");
        }
        // Containers of a pod share one network namespace: the labeler could not bind a port another one declares.
        declaring(spec, overrides.healthPort()).ifPresent(c -> conflicts.add("container " + c.getName()
                + " already uses port " + overrides.healthPort() + ", the leader-labeler's health port: set annotation "
                + Annotations.HEALTH_PORT + " to a free port"));
        if (overrides.lease() != null) {
            int leasePort = LeaseContract.leasePort(overrides.healthPort());
            declaring(spec, leasePort).ifPresent(c -> conflicts.add("container " + c.getName() + " already uses port "
                    + leasePort + ", the leader-labeler's lease endpoint (on loopback, the port after its health port "
                    + overrides.healthPort() + "): set annotation " + Annotations.HEALTH_PORT
                    + " to a free port whose next port is free too"));
        }
        return conflicts;
    }

    /** The first container that declares {@code port}. */
    private static Optional<Container> declaring(PodSpec spec, int port) {
        return allContainers(spec).filter(c -> c.getPorts() != null)
                .filter(c -> c.getPorts().stream().map(ContainerPort::getContainerPort).anyMatch(p -> p != null && p == port))
                .findFirst();
    }

    /**
     * Removes the ServiceAccount plugin's token volume and its mounts: once the pod runs as the labeler's account,
     * that token would hand the labeler's permissions to every container.
     */
    private static void isolateToken(PodSpec spec) {
        spec.setAutomountServiceAccountToken(false);
        if (spec.getVolumes() == null) {
            return;
        }
        List<String> removed = spec.getVolumes().stream().filter(PodInjector::isPluginTokenVolume).map(Volume::getName).toList();
        if (removed.isEmpty()) {
            return;
        }
        spec.setVolumes(new ArrayList<>(spec.getVolumes().stream().filter(v -> !removed.contains(v.getName())).toList()));
        allContainers(spec).filter(c -> c.getVolumeMounts() != null).forEach(c -> c.setVolumeMounts(
                new ArrayList<>(c.getVolumeMounts().stream().filter(m -> !removed.contains(m.getName())).toList())));
    }

    private static boolean isPluginTokenVolume(Volume volume) {
        return volume.getName() != null && volume.getName().startsWith(PLUGIN_TOKEN_VOLUME_PREFIX)
                && volume.getProjected() != null && volume.getProjected().getSources() != null
                && volume.getProjected().getSources().stream().anyMatch(s -> s.getServiceAccountToken() != null);
    }

    static Stream<Container> allContainers(PodSpec spec) {
        return Stream.of(spec.getInitContainers(), spec.getContainers())
                .filter(Objects::nonNull).flatMap(List::stream);
    }

    /** The same token, CA bundle and namespace file the plugin would mount, but for the labeler only. */
    private static Volume labelerTokenVolume() {
        return new VolumeBuilder()
                .withName(LabelerContract.TOKEN_VOLUME_NAME)
                .withNewProjected()
                .withDefaultMode(PROJECTED_DEFAULT_MODE)
                .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(TOKEN_EXPIRATION_SECONDS).endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName(ROOT_CA_CONFIG_MAP).addNewItem().withKey("ca.crt").withPath("ca.crt").endItem().endConfigMap().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace")
                .withNewFieldRef().withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef()
                .endItem().endDownwardAPI().endSource()
                .endProjected()
                .build();
    }

    private static Container labelerContainer(PodOverrides overrides, String group) {
        ContainerBuilder labeler = new ContainerBuilder()
                .withName(LabelerContract.CONTAINER_NAME)
                .withImage(overrides.labelerImage())
                .withEnv(fieldRef(LabelerContract.ENV_POD_NAME, "metadata.name"),
                        fieldRef(LabelerContract.ENV_POD_NAMESPACE, "metadata.namespace"),
                        new EnvVar(LabelerContract.ENV_BROKER_URL, overrides.brokerUrl(), null),
                        new EnvVar(LabelerContract.ENV_HEALTH_PORT, Integer.toString(overrides.healthPort()), null))
                .addNewPort().withName(HEALTH_PORT_NAME).withContainerPort(overrides.healthPort()).withProtocol("TCP").endPort()
                .withNewResources()
                .addToRequests("cpu", new Quantity(overrides.resources().cpuRequest()))
                .addToRequests("memory", new Quantity(overrides.resources().memoryRequest()))
                .addToLimits("cpu", new Quantity(overrides.resources().cpuLimit()))
                .addToLimits("memory", new Quantity(overrides.resources().memoryLimit()))
                .endResources()
                .withNewLivenessProbe()
                .withNewHttpGet().withPath(LabelerContract.HEALTH_PATH).withPort(new IntOrString(overrides.healthPort())).endHttpGet()
                .withPeriodSeconds(10).withTimeoutSeconds(2).withFailureThreshold(3)
                .endLivenessProbe()
                // What the "restricted" Pod Security Standard demands, so a restricted pod stays admissible.
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(LabelerContract.RUN_AS_USER)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewVolumeMount().withName(LabelerContract.TOKEN_VOLUME_NAME)
                .withMountPath(LabelerContract.TOKEN_MOUNT_PATH).withReadOnly(true).endVolumeMount();
        if (overrides.nativeSidecar()) {
            labeler.withRestartPolicy("Always");
        }
        if (overrides.lease() != null) {
            labeler.addAllToEnv(LeaseLockerInjection.labelerEnv(group, overrides.lease()));
        }
        return labeler.build();
    }

    private static EnvVar fieldRef(String name, String fieldPath) {
        return new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewFieldRef().withApiVersion("v1").withFieldPath(fieldPath).endFieldRef().endValueFrom()
                .build();
    }
}
