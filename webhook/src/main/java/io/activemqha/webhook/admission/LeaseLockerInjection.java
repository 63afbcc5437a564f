package io.activemqha.webhook.admission;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.activemqha.common.Annotations;
import io.activemqha.common.LeaseContract;
import io.activemqha.webhook.admission.PodOverrides.LeaseLocker;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

/**
 * The lease locker's part of the injection ({@code activemq-ha/locker: "lease"}), called by {@link PodInjector}: the
 * broker has no API token, so its locker asks the labeler at {@link LeaseContract#ENV_LEASE_URL}, and the jar comes
 * from the labeler image (copied into an emptyDir by a first init container) so that the broker image stays as it is.
 */
final class LeaseLockerInjection {
    /** Where the install container writes the jar; only it mounts the volume writable. */
    static final String INSTALL_MOUNT_PATH = "/" + LeaseContract.LOCKER_VOLUME_NAME;

    private LeaseLockerInjection() {
    }

    /** What in the pod (its own containers and volumes, before injection) makes the lease locker's injection impossible. */
    static List<String> conflicts(PodSpec spec, LeaseLocker lease) {
        List<String> conflicts = new ArrayList<>();
        if (spec.getVolumes() != null && spec.getVolumes().stream().anyMatch(v -> LeaseContract.LOCKER_VOLUME_NAME.equals(v.getName()))) {
            conflicts.add("the pod already has a volume named " + LeaseContract.LOCKER_VOLUME_NAME + ": rename it");
        }
        if (applicationContainers(spec).anyMatch(c -> LeaseContract.LOCKER_INSTALL_CONTAINER_NAME.equals(c.getName()))) {
            conflicts.add("the pod already has a container named " + LeaseContract.LOCKER_INSTALL_CONTAINER_NAME
                    + " but no annotation " + Annotations.INJECTED + ": remove that container");
        }
        applicationContainers(spec).forEach(c -> {
            for (int i = 0; c.getEnv() != null && i < c.getEnv().size(); i++) {
                if (c.getEnv().get(i) == null) {
                    conflicts.add("container " + c.getName() + " env[" + i + "] is empty: not a valid pod");
                }
            }
            // Two volumes at one path: the API server refuses the pod, or one hides the other and the jar is gone.
            if (c.getVolumeMounts() != null && c.getVolumeMounts().stream().map(VolumeMount::getMountPath)
                    .anyMatch(path -> path != null && path.startsWith("/") && SettingRules.normalPath(path).equals(lease.libDir()))) {
                conflicts.add("container " + c.getName() + " already mounts a volume at " + lease.libDir()
                        + ", where the lease locker's jar goes: set annotation " + Annotations.LOCKER_LIB_DIR
                        + " to another directory on the broker's class path");
            }
        });
        return conflicts;
    }

    /** The labeler's lease mode: it serves the Lease of this group, with this duration. */
    static List<EnvVar> labelerEnv(String group, LeaseLocker lease) {
        return List.of(new EnvVar(LeaseContract.ENV_LEASE_GROUP, group, null),
                new EnvVar(LeaseContract.ENV_LEASE_DURATION, lease.duration(), null));
    }

    /**
     * Gives every application container (every container but the labeler, which is not added yet) the jar, read-only,
     * and the locker's endpoint unless the container sets its own.
     */
    static void equipApplicationContainers(PodSpec spec, LeaseLocker lease, int healthPort) {
        applicationContainers(spec).forEach(c -> {
            List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
            mounts.add(new VolumeMountBuilder().withName(LeaseContract.LOCKER_VOLUME_NAME).withMountPath(lease.libDir())
                    .withReadOnly(true).build());
            c.setVolumeMounts(mounts);
            List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
            if (env.stream().noneMatch(e -> LeaseContract.ENV_LEASE_URL.equals(e.getName()))) {
                env.add(new EnvVar(LeaseContract.ENV_LEASE_URL, LeaseContract.leaseUrl(healthPort), null));
            }
            c.setEnv(env);
        });
    }

    /**
     * Adds the jar's volume and the container that installs it. The installer runs first of all, so the jar is in
     * place whatever the pod's own init containers (or a broker started by one of them) do.
     */
    static void addInstaller(PodSpec spec, Container labeler) {
        List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
        volumes.add(new VolumeBuilder().withName(LeaseContract.LOCKER_VOLUME_NAME).withNewEmptyDir().endEmptyDir().build());
        spec.setVolumes(volumes);
        List<Container> init = new ArrayList<>();
        init.add(installer(labeler));
        if (spec.getInitContainers() != null) {
            init.addAll(spec.getInitContainers());
        }
        spec.setInitContainers(init);
    }

    /** Runs the labeler's image with the labeler's restrictions and budget, so it passes whatever admits the labeler. */
    private static Container installer(Container labeler) {
        return new ContainerBuilder()
                .withName(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME)
                .withImage(labeler.getImage())
                .withImagePullPolicy(labeler.getImagePullPolicy())
                .withCommand(LeaseContract.LABELER_LAUNCHER, LeaseContract.LOCKER_INSTALL_ARGUMENT, INSTALL_MOUNT_PATH)
                .withResources(new ResourceRequirementsBuilder(labeler.getResources()).build())
                .withSecurityContext(new SecurityContextBuilder(labeler.getSecurityContext()).build())
                .addNewVolumeMount().withName(LeaseContract.LOCKER_VOLUME_NAME).withMountPath(INSTALL_MOUNT_PATH).endVolumeMount()
                .build();
    }

    /** The containers the pod brought: the same set token isolation treats. */
    private static Stream<Container> applicationContainers(PodSpec spec) {
        return PodInjector.allContainers(spec);
    }
}
