package io.activemqha.webhook.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.InjectorVersion;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class PodInjectorTest {
    private final PodInjector injector = new PodInjector(InjectorConfig.defaults());
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    private static PodBuilder annotatedPod() {
        return new PodBuilder()
                .withNewMetadata().withName("broker-0").addToAnnotations(Annotations.ENABLED, "true").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("broker").withImage("apache/activemq-classic:6.1.7")
                .addNewPort().withContainerPort(61616).endPort().endContainer()
                .endSpec();
    }

    private Injection inject(Pod pod) {
        return injector.inject(pod, InjectionContext.admission());
    }

    @Test
    void injectsLabelsAccountSidecarTokenAndMarker() {
        Injection injection = inject(annotatedPod().build());

        assertThat(injection.outcome()).isEqualTo(Outcome.INJECTED);
        Pod pod = injection.pod();
        assertThat(pod.getMetadata().getLabels())
                .containsEntry(Labels.LEADER, Labels.LEADER_NO)
                .containsEntry(Labels.GROUP, "broker-0");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(Annotations.INJECTED, InjectorVersion.current());
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(injection.labelerServiceAccount()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(injection.warnings()).isEmpty();

        Container labeler = pod.getSpec().getInitContainers().get(0);
        assertThat(labeler.getName()).isEqualTo(LabelerContract.CONTAINER_NAME);
        assertThat(labeler.getRestartPolicy()).isEqualTo("Always");
        assertThat(labeler.getImage()).isEqualTo(InjectorConfig.DEFAULT_LABELER_IMAGE);
        Map<String, EnvVar> env = labeler.getEnv().stream().collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> e));
        assertThat(env.get(LabelerContract.ENV_POD_NAME).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env.get(LabelerContract.ENV_POD_NAMESPACE).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        assertThat(env.get(LabelerContract.ENV_BROKER_URL).getValue()).isEqualTo(LabelerContract.DEFAULT_BROKER_URL);
        assertThat(env.get(LabelerContract.ENV_HEALTH_PORT).getValue()).isEqualTo(Integer.toString(LabelerContract.DEFAULT_HEALTH_PORT));
        assertThat(labeler.getLivenessProbe().getHttpGet().getPath()).isEqualTo(LabelerContract.HEALTH_PATH);
        assertThat(labeler.getLivenessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(LabelerContract.DEFAULT_HEALTH_PORT);
        assertThat(labeler.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(labeler.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(labeler.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(labeler.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(labeler.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(labeler.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(labeler.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(labeler.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo(LabelerContract.TOKEN_VOLUME_NAME);
            assertThat(m.getMountPath()).isEqualTo(LabelerContract.TOKEN_MOUNT_PATH);
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName).containsExactly("broker");
        assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo(LabelerContract.TOKEN_VOLUME_NAME);
            assertThat(v.getProjected().getSources()).hasSize(3);
            assertThat(v.getProjected().getSources().get(0).getServiceAccountToken().getExpirationSeconds()).isEqualTo(3607L);
        });
    }

    @Test
    void neverModifiesItsInput() {
        Pod input = annotatedPod().editSpec().withServiceAccountName("default").endSpec().build();
        String before = serialization.asJson(input);

        inject(input);

        assertThat(serialization.asJson(input)).isEqualTo(before);
    }

    @Test
    void injectingTheResultAgainChangesNothing() {
        Pod once = inject(annotatedPod().build()).pod();

        Injection twice = inject(once);

        assertThat(twice.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(twice.reason()).isEqualTo("already injected");
        assertThat(twice.pod()).isNull();
    }

    @Test
    void regularContainerWhenNativeSidecarIsOff() {
        Pod pod = annotatedPod().editMetadata().addToAnnotations(Annotations.NATIVE_SIDECAR, "false").endMetadata().build();

        Pod injected = inject(pod).pod();

        assertThat(injected.getSpec().getInitContainers()).isNullOrEmpty();
        assertThat(injected.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("broker", LabelerContract.CONTAINER_NAME);
        assertThat(injected.getSpec().getContainers().get(1).getRestartPolicy()).isNull();
    }

    @Test
    void nativeSidecarGoesBeforeExistingInitContainers() {
        Pod pod = annotatedPod().editSpec().addNewInitContainer().withName("prepare").withImage("busybox").endInitContainer().endSpec().build();

        Pod injected = inject(pod).pod();

        assertThat(injected.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LabelerContract.CONTAINER_NAME, "prepare");
    }

    @Test
    void groupFromDeploymentReplicaSetOwnerWithoutTemplateHash() {
        Pod pod = annotatedPod().editMetadata().withName(null).withGenerateName("orders-broker-5f4c8d7b9-")
                .addToLabels(HaGroup.POD_TEMPLATE_HASH, "5f4c8d7b9")
                .addNewOwnerReference().withKind("ReplicaSet").withName("orders-broker-5f4c8d7b9").withController(true).endOwnerReference()
                .endMetadata().build();

        assertThat(inject(pod).pod().getMetadata().getLabels()).containsEntry(Labels.GROUP, "orders-broker");
    }

    @Test
    void bareReplicaSetKeepsItsName() {
        Pod pod = annotatedPod().editMetadata().withName(null).withGenerateName("plain-rs-")
                .addNewOwnerReference().withKind("ReplicaSet").withName("plain-rs").withController(true).endOwnerReference()
                .endMetadata().build();

        assertThat(inject(pod).pod().getMetadata().getLabels()).containsEntry(Labels.GROUP, "plain-rs");
    }

    @Test
    void groupFromStatefulSetOwnerAnnotationGenerateNameAndWorkload() {
        Pod sts = annotatedPod().editMetadata().addNewOwnerReference().withKind("StatefulSet").withName("broker").withController(true)
                .endOwnerReference().endMetadata().build();
        assertThat(inject(sts).pod().getMetadata().getLabels()).containsEntry(Labels.GROUP, "broker");

        Pod annotated = annotatedPod().editMetadata().addToAnnotations(Annotations.GROUP, "shared-store").endMetadata().build();
        assertThat(inject(annotated).pod().getMetadata().getLabels()).containsEntry(Labels.GROUP, "shared-store");

        Pod generated = annotatedPod().editMetadata().withName(null).withGenerateName("adhoc--").endMetadata().build();
        assertThat(inject(generated).pod().getMetadata().getLabels()).containsEntry(Labels.GROUP, "adhoc");

        Pod template = annotatedPod().editMetadata().withName(null).endMetadata().build();
        assertThat(injector.inject(template, InjectionContext.workload("orders")).pod().getMetadata().getLabels())
                .containsEntry(Labels.GROUP, "orders");
    }

    @Test
    void underivableOrTooLongGroupIsDenied() {
        Pod nameless = annotatedPod().editMetadata().withName(null).endMetadata().build();
        assertThat(inject(nameless).message()).contains("cannot be derived").contains(Annotations.GROUP);

        Pod longName = annotatedPod().editMetadata().withName("b".repeat(64)).endMetadata().build();
        Injection denied = inject(longName);
        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.message()).contains("b".repeat(64)).contains(Annotations.GROUP);
    }

    @Test
    void customServiceAccountIsKeptWithAWarning() {
        Pod pod = annotatedPod().editSpec().withServiceAccountName("broker-sa").endSpec().build();

        Injection injection = inject(pod);

        assertThat(injection.pod().getSpec().getServiceAccountName()).isEqualTo("broker-sa");
        assertThat(injection.labelerServiceAccount()).isNull();
        assertThat(injection.warnings()).singleElement().asString()
                .contains("broker-sa").contains(RbacNames.LABELER_CLUSTER_ROLE).hasSizeLessThanOrEqualTo(120);
    }

    @Test
    void accountNamedOnlyByTheDeprecatedAliasIsKept() {
        Pod pod = annotatedPod().editSpec().withServiceAccount("legacy-sa").endSpec().build();

        Injection injection = inject(pod);

        assertThat(injection.pod().getSpec().getServiceAccountName()).isEqualTo("legacy-sa");
        assertThat(injection.pod().getSpec().getServiceAccount()).isEqualTo("legacy-sa");
        assertThat(injection.warnings()).singleElement().asString().contains("legacy-sa");
    }

    @Test
    void optOutAndInvalidOptIn() {
        assertThat(inject(new PodBuilder().withNewMetadata().withName("p").endMetadata().build()).outcome()).isEqualTo(Outcome.SKIPPED);
        Pod off = annotatedPod().editMetadata().addToAnnotations(Annotations.ENABLED, "false").endMetadata().build();
        assertThat(inject(off).outcome()).isEqualTo(Outcome.SKIPPED);

        Pod yes = annotatedPod().editMetadata().addToAnnotations(Annotations.ENABLED, "yes").endMetadata().build();
        Injection denied = inject(yes);
        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.message()).contains("annotation activemq-ha=\"yes\"").contains("\"true\"").contains("\"false\"");
    }

    @Test
    void everyInvalidOverrideIsReportedAtOnce() {
        Pod pod = annotatedPod().editMetadata()
                .addToAnnotations(Annotations.LABELER_IMAGE, "")
                .addToAnnotations(Annotations.BROKER_URL, "http://localhost:61616")
                .addToAnnotations(Annotations.NATIVE_SIDECAR, "yes")
                .addToAnnotations(Annotations.LABELER_MEMORY_LIMIT, "lots")
                .addToAnnotations(Annotations.HEALTH_PORT, "70000")
                .endMetadata().build();

        Injection denied = inject(pod);

        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.message())
                .contains(Annotations.LABELER_IMAGE + "=\"\"")
                .contains(Annotations.BROKER_URL + "=\"http://localhost:61616\"").contains("tcp, ssl, nio, nio+ssl")
                .contains(Annotations.NATIVE_SIDECAR + "=\"yes\"").contains("\"true\" or \"false\"")
                .contains(Annotations.LABELER_MEMORY_LIMIT + "=\"lots\"").contains("quantity")
                .contains(Annotations.HEALTH_PORT + "=\"70000\"").contains("port number 1-65534");
    }

    @Test
    void validOverridesAreApplied() {
        Pod pod = annotatedPod().editMetadata()
                .addToAnnotations(Annotations.LABELER_IMAGE, "registry.local/labeler:2")
                .addToAnnotations(Annotations.BROKER_URL, "nio+ssl://127.0.0.1:61617?verifyHostName=false")
                .addToAnnotations(Annotations.HEALTH_PORT, "9100")
                .addToAnnotations(Annotations.LABELER_CPU_REQUEST, "0.05")
                .addToAnnotations(Annotations.LABELER_CPU_LIMIT, "1")
                .addToAnnotations(Annotations.LABELER_MEMORY_REQUEST, "100Mi")
                .addToAnnotations(Annotations.LABELER_MEMORY_LIMIT, "1e9")
                .endMetadata().build();

        Container labeler = inject(pod).pod().getSpec().getInitContainers().get(0);

        assertThat(labeler.getImage()).isEqualTo("registry.local/labeler:2");
        assertThat(labeler.getEnv()).extracting(EnvVar::getValue).contains("nio+ssl://127.0.0.1:61617?verifyHostName=false", "9100");
        assertThat(labeler.getPorts().get(0).getContainerPort()).isEqualTo(9100);
        assertThat(labeler.getResources().getRequests().get("cpu").toString()).isEqualTo("0.05");
        assertThat(labeler.getResources().getLimits().get("memory").toString()).isEqualTo("1e9");
    }

    @Test
    void requestAboveLimitIsDenied() {
        Pod pod = annotatedPod().editMetadata().addToAnnotations(Annotations.LABELER_CPU_REQUEST, "2").endMetadata().build();

        assertThat(inject(pod).message()).contains("cpu request 2 exceeds its limit 200m").contains(Annotations.LABELER_CPU_REQUEST);
    }

    @Test
    void conflictsWithTheHealthPortOrAnExistingLabelerAreDenied() {
        Pod port = annotatedPod().editSpec().editFirstContainer().addNewPort().withContainerPort(LabelerContract.DEFAULT_HEALTH_PORT)
                .endPort().endContainer().endSpec().build();
        assertThat(inject(port).message()).contains("container broker already uses port 8099").contains(Annotations.HEALTH_PORT);

        Pod labeler = annotatedPod().editSpec().addNewContainer().withName(LabelerContract.CONTAINER_NAME).withImage("x").endContainer()
                .endSpec().build();
        assertThat(inject(labeler).message()).contains("already has a container named leader-labeler");
    }

    @Test
    void brokerApiAccessKeepsThePluginToken() {
        Pod pod = annotatedPod().editMetadata().addToAnnotations(Annotations.BROKER_API_ACCESS, "true").endMetadata()
                .editSpec().addNewVolume().withName("kube-api-access-x1y2z").withNewProjected().addNewSource()
                .withNewServiceAccountToken().withPath("token").endServiceAccountToken().endSource().endProjected().endVolume()
                .editFirstContainer().addNewVolumeMount().withName("kube-api-access-x1y2z").withMountPath(LabelerContract.TOKEN_MOUNT_PATH)
                .endVolumeMount().endContainer().endSpec().build();

        Pod injected = inject(pod).pod();

        assertThat(injected.getSpec().getAutomountServiceAccountToken()).isNull();
        assertThat(injected.getSpec().getContainers().get(0).getVolumeMounts()).hasSize(1);
        assertThat(injected.getSpec().getVolumes()).extracting(v -> v.getName())
                .containsExactly("kube-api-access-x1y2z", LabelerContract.TOKEN_VOLUME_NAME);
    }

    @Test
    void configProblemsAreListed() {
        InjectorConfig bad = new InjectorConfig(" ", "Not_A_Name", true, "tcp://localhost", 0,
                new InjectorConfig.SidecarResources("1", "500m", "x", "64Mi"));

        assertThat(SettingRules.problems(bad)).hasSize(5);
        assertThat(SettingRules.problems(InjectorConfig.defaults())).isEmpty();
        assertThat(List.of("100m", "0.5", ".5", "1e3", "64Mi", "+1", "5.")).allSatisfy(q -> assertThat(SettingRules.quantity(q)).isEmpty());
        assertThat(List.of("", "-1", "1.2.3", "10mi", "1 Gi", "Mi")).allSatisfy(q -> assertThat(SettingRules.quantity(q)).isPresent());
    }
}
