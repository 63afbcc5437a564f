package io.activemqha.webhook.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lease locker's injection ({@code activemq-ha/locker: "lease"}) and its annotations' validation. */
class LeaseLockerInjectionTest {
    private static final String LEASE_URL = LeaseContract.leaseUrl(LabelerContract.DEFAULT_HEALTH_PORT);

    private final PodInjector injector = new PodInjector(InjectorConfig.defaults());
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    /** A StatefulSet's broker with a sidecar of its own and an init container, so every container kind is there. */
    private static PodBuilder brokerPod() {
        return new PodBuilder()
                .withNewMetadata().withName("broker-0").addToAnnotations(Annotations.ENABLED, "true")
                .addNewOwnerReference().withKind("StatefulSet").withName("orders-broker").withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .addNewInitContainer().withName("wait-for-store").withImage("busybox").endInitContainer()
                .addNewContainer().withName("broker").withImage("apache/activemq-classic:6.1.7")
                .addNewEnv().withName("ACTIVEMQ_OPTS").withValue("-Xmx1g").endEnv()
                .addNewVolumeMount().withName("kahadb").withMountPath("/var/lib/activemq/shared").endVolumeMount()
                .endContainer()
                .addNewContainer().withName("exporter").withImage("exporter:1").endContainer()
                .addNewVolume().withName("kahadb").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec();
    }

    private static PodBuilder leasePod() {
        return brokerPod().editMetadata().addToAnnotations(Annotations.LOCKER, LeaseContract.LOCKER_LEASE).endMetadata();
    }

    private Injection inject(Pod pod) {
        return injector.inject(pod, InjectionContext.admission());
    }

    private static Container labelerOf(Pod pod) {
        return Stream.concat(pod.getSpec().getInitContainers().stream(), pod.getSpec().getContainers().stream())
                .filter(c -> LabelerContract.CONTAINER_NAME.equals(c.getName())).findFirst().orElseThrow();
    }

    private static Container named(List<Container> containers, String name) {
        return containers.stream().filter(c -> name.equals(c.getName())).findFirst().orElseThrow();
    }

    private static Map<String, String> env(Container container) {
        return container.getEnv() == null ? Map.of()
                : container.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void leaseInjectsTheInstallerFirstTheVolumeTheMountsAndTheEnv() {
        Injection injection = inject(leasePod().build());

        assertThat(injection.outcome()).isEqualTo(Outcome.INJECTED);
        Pod pod = injection.pod();
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME, LabelerContract.CONTAINER_NAME, "wait-for-store");
        assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
                .containsExactly("kahadb", LabelerContract.TOKEN_VOLUME_NAME, LeaseContract.LOCKER_VOLUME_NAME);
        assertThat(pod.getSpec().getVolumes().get(2).getEmptyDir()).isNotNull();

        Container labeler = labelerOf(pod);
        Container installer = pod.getSpec().getInitContainers().get(0);
        assertThat(installer.getImage()).isEqualTo(labeler.getImage()).isEqualTo(InjectorConfig.DEFAULT_LABELER_IMAGE);
        assertThat(installer.getImagePullPolicy()).isEqualTo(labeler.getImagePullPolicy());
        assertThat(installer.getCommand()).containsExactly("/app/labeler", LeaseContract.LOCKER_INSTALL_ARGUMENT, "/activemq-ha-lease-locker");
        assertThat(installer.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo(LeaseContract.LOCKER_VOLUME_NAME);
            assertThat(m.getMountPath()).isEqualTo("/activemq-ha-lease-locker");
            assertThat(m.getReadOnly()).isNull();
        });
        assertThat(installer.getSecurityContext()).isEqualTo(labeler.getSecurityContext());
        assertThat(installer.getResources()).isEqualTo(labeler.getResources());
        assertThat(installer.getRestartPolicy()).isNull();
        assertThat(installer.getEnv()).isNullOrEmpty();

        assertThat(env(labeler)).containsEntry(LeaseContract.ENV_LEASE_GROUP, "orders-broker")
                .containsEntry(LeaseContract.ENV_LEASE_DURATION, LeaseContract.DEFAULT_LEASE_DURATION);
        assertThat(labeler.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly(LabelerContract.TOKEN_VOLUME_NAME);
        assertThat(env(labeler)).doesNotContainKey(LeaseContract.ENV_LEASE_URL);

        for (Container app : List.of(named(pod.getSpec().getInitContainers(), "wait-for-store"),
                named(pod.getSpec().getContainers(), "broker"), named(pod.getSpec().getContainers(), "exporter"))) {
            assertThat(app.getVolumeMounts()).as(app.getName()).filteredOn(m -> LeaseContract.LOCKER_VOLUME_NAME.equals(m.getName()))
                    .singleElement().satisfies(m -> {
                        assertThat(m.getMountPath()).isEqualTo(LeaseContract.DEFAULT_LOCKER_LIB_DIR);
                        assertThat(m.getReadOnly()).isTrue();
                    });
            assertThat(env(app)).as(app.getName()).containsEntry(LeaseContract.ENV_LEASE_URL, LEASE_URL);
            assertThat(env(app)).as(app.getName()).doesNotContainKeys(LeaseContract.ENV_LEASE_GROUP, LeaseContract.ENV_LEASE_DURATION);
        }
        Container broker = named(pod.getSpec().getContainers(), "broker");
        assertThat(broker.getEnv()).extracting(EnvVar::getName).containsExactly("ACTIVEMQ_OPTS", LeaseContract.ENV_LEASE_URL);
        assertThat(broker.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("kahadb", LeaseContract.LOCKER_VOLUME_NAME);
    }

    @Test
    void theRegularContainerLabelerGetsTheLeaseEnvAndTheInstallerStillComesFirst() {
        Pod pod = inject(leasePod().editMetadata().addToAnnotations(Annotations.NATIVE_SIDECAR, "false").endMetadata().build()).pod();

        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME, "wait-for-store");
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("broker", "exporter", LabelerContract.CONTAINER_NAME);
        Container labeler = pod.getSpec().getContainers().get(2);
        assertThat(labeler.getRestartPolicy()).isNull();
        assertThat(env(labeler)).containsEntry(LeaseContract.ENV_LEASE_GROUP, "orders-broker")
                .containsEntry(LeaseContract.ENV_LEASE_DURATION, "10s");
        assertThat(labeler.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly(LabelerContract.TOKEN_VOLUME_NAME);
        assertThat(env(named(pod.getSpec().getContainers(), "broker"))).containsEntry(LeaseContract.ENV_LEASE_URL, LEASE_URL);
    }

    @Test
    void theInstallerIsFirstWithoutInitContainersOfThePodsOwn() {
        Pod plain = leasePod().editSpec().withInitContainers().endSpec().build();

        assertThat(inject(plain).pod().getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME, LabelerContract.CONTAINER_NAME);
        Pod regular = leasePod().editSpec().withInitContainers().endSpec()
                .editMetadata().addToAnnotations(Annotations.NATIVE_SIDECAR, "false").endMetadata().build();
        assertThat(inject(regular).pod().getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
    }

    @Test
    void theGroupOverrideTheDurationTheLibDirTheImageAndTheHealthPortAreFollowed() {
        Pod pod = leasePod().editMetadata()
                .addToAnnotations(Annotations.GROUP, "shared-store")
                .addToAnnotations(Annotations.LEASE_DURATION, "030s")
                .addToAnnotations(Annotations.LOCKER_LIB_DIR, "/opt/broker//lib/ext/")
                .addToAnnotations(Annotations.LABELER_IMAGE, "registry.local/labeler:2")
                .addToAnnotations(Annotations.HEALTH_PORT, "9100")
                .endMetadata().build();

        Pod injected = inject(pod).pod();

        Container labeler = labelerOf(injected);
        assertThat(env(labeler)).containsEntry(LeaseContract.ENV_LEASE_GROUP, "shared-store")
                .containsEntry(LeaseContract.ENV_LEASE_DURATION, "30s");
        Container installer = injected.getSpec().getInitContainers().get(0);
        assertThat(installer.getName()).isEqualTo(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
        assertThat(installer.getImage()).isEqualTo("registry.local/labeler:2");
        Container broker = named(injected.getSpec().getContainers(), "broker");
        assertThat(broker.getVolumeMounts()).filteredOn(m -> LeaseContract.LOCKER_VOLUME_NAME.equals(m.getName()))
                .singleElement().extracting(VolumeMount::getMountPath).isEqualTo("/opt/broker/lib/ext");
        assertThat(env(broker)).as("the lease endpoint: loopback, the port after the health port")
                .containsEntry(LeaseContract.ENV_LEASE_URL, "http://127.0.0.1:9101/lease");
    }

    @Test
    void theDefaultLeaseUrlIsThePortAfterTheDefaultHealthPort() {
        Container broker = named(inject(leasePod().build()).pod().getSpec().getContainers(), "broker");

        assertThat(env(broker)).containsEntry(LeaseContract.ENV_LEASE_URL, "http://127.0.0.1:8100/lease");
    }

    @Test
    void aContainerOnTheLeasePortIsDeniedInLeaseModeOnly() {
        Pod onLeasePort = leasePod().editSpec().editFirstContainer().addNewPort().withContainerPort(8100).endPort()
                .endContainer().endSpec().build();

        Injection denied = inject(onLeasePort);

        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.message()).contains("container broker already uses port 8100, the leader-labeler's lease endpoint"
                + " (on loopback, the port after its health port 8099): set annotation activemq-ha/health-port to a free"
                + " port whose next port is free too");
        Pod moved = new PodBuilder(onLeasePort).editMetadata().addToAnnotations(Annotations.HEALTH_PORT, "8200").endMetadata()
                .build();
        assertThat(inject(moved).outcome()).isEqualTo(Outcome.INJECTED);
        Pod sharedFile = brokerPod().editSpec().editFirstContainer().addNewPort().withContainerPort(8100).endPort()
                .endContainer().endSpec().build();
        assertThat(inject(sharedFile).outcome()).as("no lease endpoint with the shared-file locker").isEqualTo(Outcome.INJECTED);
    }

    @Test
    void theHealthPortLeavesRoomForTheLeasePort() {
        Injection denied = inject(leasePod().editMetadata().addToAnnotations(Annotations.HEALTH_PORT, "65535").endMetadata()
                .build());

        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.message()).contains("annotation activemq-ha/health-port=\"65535\" is invalid: must be a port"
                + " number 1-65534 (the labeler's lease endpoint takes the next one)");
        Pod highest = leasePod().editMetadata().addToAnnotations(Annotations.HEALTH_PORT, "65534").endMetadata().build();
        assertThat(env(named(inject(highest).pod().getSpec().getContainers(), "broker")))
                .containsEntry(LeaseContract.ENV_LEASE_URL, "http://127.0.0.1:65535/lease");
    }

    @Test
    void aLeaseUrlOfTheContainersOwnIsKept() {
        Pod pod = leasePod().editSpec().editMatchingContainer(c -> "broker".equals(c.getName()))
                .addNewEnv().withName(LeaseContract.ENV_LEASE_URL).withValue("http://127.0.0.1:9999/lease").endEnv()
                .endContainer().endSpec().build();

        Pod injected = inject(pod).pod();

        Container broker = named(injected.getSpec().getContainers(), "broker");
        assertThat(broker.getEnv()).filteredOn(e -> LeaseContract.ENV_LEASE_URL.equals(e.getName()))
                .singleElement().extracting(EnvVar::getValue).isEqualTo("http://127.0.0.1:9999/lease");
        assertThat(env(named(injected.getSpec().getContainers(), "exporter"))).containsEntry(LeaseContract.ENV_LEASE_URL, LEASE_URL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", LeaseContract.LOCKER_SHARED_FILE})
    void theSharedFileLockerInjectsNothingForTheLease(String locker) {
        PodBuilder builder = brokerPod();
        if (!locker.isEmpty()) {
            builder.editMetadata().addToAnnotations(Annotations.LOCKER, locker).endMetadata();
        }
        Pod pod = inject(builder.build()).pod();
        Pod asToday = inject(brokerPod().build()).pod();

        assertThat(pod.getSpec()).isEqualTo(asToday.getSpec());
        assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName).doesNotContain(LeaseContract.LOCKER_VOLUME_NAME);
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .doesNotContain(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
        String json = serialization.asJson(pod.getSpec());
        assertThat(json).doesNotContain(LeaseContract.ENV_LEASE_URL, LeaseContract.ENV_LEASE_GROUP, LeaseContract.ENV_LEASE_DURATION,
                LeaseContract.LOCKER_VOLUME_NAME);
    }

    @Test
    void injectingTheResultAgainChangesNothing() {
        Pod once = inject(leasePod().build()).pod();

        Injection twice = inject(once);

        assertThat(twice.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(twice.reason()).isEqualTo("already injected");
        assertThat(twice.pod()).isNull();
    }

    @Test
    void withoutItsMarkerAnInjectedPodIsDeniedNotInjectedTwice() {
        Pod once = inject(leasePod().build()).pod();
        Pod unmarked = new PodBuilder(once).editMetadata().removeFromAnnotations(Annotations.INJECTED).endMetadata().build();

        Injection again = inject(unmarked);

        assertThat(again.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(again.message())
                .contains("already has a container named " + LabelerContract.CONTAINER_NAME)
                .contains("already has a volume named " + LeaseContract.LOCKER_VOLUME_NAME)
                .contains("already has a container named " + LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
    }

    @Test
    void neverModifiesItsInput() {
        Pod input = leasePod().build();
        String before = serialization.asJson(input);

        inject(input);

        assertThat(serialization.asJson(input)).isEqualTo(before);
    }

    private String denial(String annotation, String value) {
        PodBuilder pod = annotation.equals(Annotations.LOCKER) ? brokerPod() : leasePod();
        Injection injection = inject(pod.editMetadata().addToAnnotations(annotation, value).endMetadata().build());
        assertThat(injection.outcome()).isEqualTo(Outcome.DENIED);
        return injection.message();
    }

    @Test
    void anUnknownLockerIsDenied() {
        assertThat(denial(Annotations.LOCKER, "zookeeper")).isEqualTo("annotation activemq-ha/locker=\"zookeeper\" is invalid:"
                + " must be \"shared-file\" (the default: KahaDB's file lock) or \"lease\" (the group's Kubernetes Lease,"
                + " held through the leader-labeler)");
    }

    @Test
    void aLeaseDurationThatIsNotWholeSecondsInRangeIsDenied() {
        assertThat(denial(Annotations.LEASE_DURATION, "1500ms")).isEqualTo("annotation activemq-ha/lease-duration=\"1500ms\""
                + " is invalid: expected whole seconds such as 10s (from 3s to 300s), got '1500ms'");
        assertThat(denial(Annotations.LEASE_DURATION, "2s")).isEqualTo("annotation activemq-ha/lease-duration=\"2s\""
                + " is invalid: must be from 3s to 300s, got '2s'");
        assertThat(denial(Annotations.LEASE_DURATION, "301s")).contains("must be from 3s to 300s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"relative/dir", "", "/", "//", "/./", "/opt/../etc", "/opt/lib dir", "/opt/lib\tdir", "/opt/..", "~/lib"})
    void aLibDirThatIsNotAnAbsoluteDirectoryIsDenied(String dir) {
        assertThat(denial(Annotations.LOCKER_LIB_DIR, dir)).isEqualTo("annotation activemq-ha/locker-lib-dir=\"" + dir + "\""
                + " is invalid: must be an absolute directory path other than /, without whitespace or '..',"
                + " e.g. /opt/apache-activemq/lib/extra");
    }

    @Test
    void aDirectoryNamedWithDotsIsAllowed() {
        Pod pod = leasePod().editMetadata().addToAnnotations(Annotations.LOCKER_LIB_DIR, "/opt/activemq..6/lib/.extra").endMetadata().build();

        assertThat(inject(pod).outcome()).isEqualTo(Outcome.INJECTED);
    }

    @Test
    void leaseSettingsWithoutTheLeaseLockerAreDenied() {
        Pod withoutLocker = brokerPod().editMetadata().addToAnnotations(Annotations.LEASE_DURATION, "10s").endMetadata().build();
        assertThat(inject(withoutLocker).message()).isEqualTo("annotation activemq-ha/lease-duration=\"10s\" is invalid: it only"
                + " applies with activemq-ha/locker: \"lease\" (this pod uses the shared-file locker); set that annotation or"
                + " remove this one");

        Pod sharedFile = brokerPod().editMetadata().addToAnnotations(Annotations.LOCKER, LeaseContract.LOCKER_SHARED_FILE)
                .addToAnnotations(Annotations.LOCKER_LIB_DIR, "/opt/lib").addToAnnotations(Annotations.LEASE_DURATION, "bogus")
                .endMetadata().build();
        Injection denied = inject(sharedFile);
        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.message())
                .contains("annotation activemq-ha/locker-lib-dir=\"/opt/lib\" is invalid: it only applies with activemq-ha/locker: \"lease\"")
                .contains("annotation activemq-ha/lease-duration=\"bogus\" is invalid: it only applies with activemq-ha/locker: \"lease\"");
    }

    @Test
    void anUnknownLockerIsTheOnlyProblemReportedForItsSettings() {
        Pod pod = brokerPod().editMetadata().addToAnnotations(Annotations.LOCKER, "Lease")
                .addToAnnotations(Annotations.LEASE_DURATION, "10s").endMetadata().build();

        assertThat(inject(pod).message()).startsWith("annotation activemq-ha/locker=\"Lease\" is invalid").doesNotContain("only applies");
    }

    @Test
    void aMountAtTheLibDirIsDeniedNamingTheContainerAndThePath() {
        Pod pod = leasePod().editSpec().editMatchingContainer(c -> "broker".equals(c.getName()))
                .addNewVolumeMount().withName("kahadb").withMountPath(LeaseContract.DEFAULT_LOCKER_LIB_DIR + "/").endVolumeMount()
                .endContainer().endSpec().build();

        assertThat(inject(pod).message()).isEqualTo("container broker already mounts a volume at /opt/apache-activemq/lib/extra,"
                + " where the lease locker's jar goes: set annotation activemq-ha/locker-lib-dir to another directory on the"
                + " broker's class path");

        Pod elsewhere = new PodBuilder(pod).editMetadata().addToAnnotations(Annotations.LOCKER_LIB_DIR, "/opt/locker").endMetadata().build();
        assertThat(inject(elsewhere).outcome()).isEqualTo(Outcome.INJECTED);
    }

    @Test
    void anEmptyEnvEntryIsDeniedNamingWhere() {
        // As YAML's "- " with nothing after it reads; the builders would drop the null.
        Pod pod = serialization.unmarshal("""
                {"metadata": {"name": "broker-0", "annotations": {"activemq-ha": "true", "activemq-ha/locker": "lease"}},
                 "spec": {"containers": [{"name": "broker", "image": "apache/activemq-classic"},
                                         {"name": "exporter", "image": "exporter:1", "env": [{"name": "A", "value": "1"}, null]}]}}
                """, Pod.class);

        assertThat(inject(pod).message()).isEqualTo("container exporter env[1] is empty: not a valid pod");
    }
}
