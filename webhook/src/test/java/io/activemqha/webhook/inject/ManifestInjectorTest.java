package io.activemqha.webhook.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.admission.InjectionContext;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.PodInjector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class ManifestInjectorTest {
    private final ManifestInjector injector = new ManifestInjector(InjectorConfig.defaults());
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    static String manifests() {
        return resource("/inject/manifests.yaml");
    }

    private List<YamlChunks.Chunk> chunks(String text) {
        return YamlChunks.split(text, new Yaml11());
    }

    private String document(String output, int index) {
        return chunks(output).get(index).text();
    }

    @Test
    void untouchedDocumentsAreCopiedByteForByte() throws ManifestException {
        String input = manifests();
        ManifestInjector.Result result = injector.inject(input);

        List<YamlChunks.Chunk> in = chunks(input);
        List<YamlChunks.Chunk> out = chunks(result.output());
        assertThat(out).hasSameSizeAs(in);
        // 0 ConfigMap (after the heading comment), 1 Service, 5 Job (annotated on the wrong object), 6 plain Deployment,
        // 8 the empty document holding the trailing comment
        for (int i : new int[] {0, 1, 5, 6, 8}) {
            assertThat(out.get(i).text()).as("document %d", i).isEqualTo(in.get(i).text());
        }
        for (int i : new int[] {2, 3, 4, 7}) {
            assertThat(out.get(i).text()).as("document %d", i).isNotEqualTo(in.get(i).text());
        }
        assertThat(result.injected()).isEqualTo(4);
    }

    @Test
    void aSecondRunChangesNothing() throws ManifestException {
        String once = injector.inject(manifests()).output();

        ManifestInjector.Result twice = injector.inject(once);

        assertThat(twice.output()).isEqualTo(once);
        assertThat(twice.injected()).isZero();
    }

    @Test
    void deploymentTemplateGetsTheWebhooksMutation() throws ManifestException {
        String input = manifests();
        String output = injector.inject(input).output();
        Deployment before = serialization.unmarshal(document(input, 2), Deployment.class);
        Deployment after = serialization.unmarshal(document(output, 2), Deployment.class);
        PodTemplateSpec template = after.getSpec().getTemplate();

        assertThat(document(output, 2)).startsWith("---\n# Source: orders/templates/deployment.yaml\n");
        assertThat(template.getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO)
                .containsEntry(Labels.GROUP, "orders-broker").containsEntry("app", "orders-broker");
        assertThat(template.getMetadata().getAnnotations()).containsKey(Annotations.INJECTED)
                .containsEntry("deployed-at", "2026-11-20T10:15:02Z");
        assertThat(template.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(template.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(template.getSpec().getInitContainers()).extracting(Container::getName).containsExactly(LabelerContract.CONTAINER_NAME);
        // YAML 1.1 as kubectl reads it: 0644 is octal.
        assertThat(template.getSpec().getVolumes().get(1).getConfigMap().getDefaultMode()).isEqualTo(0644);
        assertThat(template.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getValue).contains("no");
        assertThat(after.getSpec().getReplicas()).isEqualTo(2);
        assertThat(after.getSpec().getSelector()).isEqualTo(before.getSpec().getSelector());

        // Exactly what the admission path does to the same template.
        Pod templatePod = new Pod("v1", "Pod", before.getSpec().getTemplate().getMetadata(), before.getSpec().getTemplate().getSpec(), null);
        Pod expected = new PodInjector(InjectorConfig.defaults()).inject(templatePod, InjectionContext.workload("orders-broker")).pod();
        assertThat(serialization.asJson(template.getSpec())).isEqualTo(serialization.asJson(expected.getSpec()));
        assertThat(serialization.asJson(template.getMetadata())).isEqualTo(serialization.asJson(expected.getMetadata()));
    }

    @Test
    void statefulSetCronJobAndListItemsAreInjectedWithTheirOverrides() throws ManifestException {
        ManifestInjector.Result result = injector.inject(manifests());

        StatefulSet sts = serialization.unmarshal(document(result.output(), 3), StatefulSet.class);
        List<Container> containers = sts.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).containsExactly("broker", LabelerContract.CONTAINER_NAME);
        assertThat(containers.get(1).getEnv()).extracting(EnvVar::getValue).contains("nio://localhost:61618");
        assertThat(sts.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("billing");
        assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(Labels.GROUP, "billing-broker");
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).startsWith("StatefulSet billing-broker").contains("\"billing\""));
        assertThat(result.warnings()).anySatisfy(w -> assertThat(w).startsWith("Job one-off").contains("not on its pod template"));

        CronJob cron = serialization.unmarshal(document(result.output(), 4), CronJob.class);
        PodTemplateSpec cronTemplate = cron.getSpec().getJobTemplate().getSpec().getTemplate();
        assertThat(cronTemplate.getMetadata().getLabels()).containsEntry(Labels.GROUP, "replay");
        assertThat(cronTemplate.getSpec().getRestartPolicy()).isEqualTo("OnFailure");
        assertThat(cron.getSpec().getSchedule()).isEqualTo("0 3 * * *");

        KubernetesList list = serialization.unmarshal(document(result.output(), 7), KubernetesList.class);
        Pod pod = (Pod) list.getItems().get(0);
        assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.GROUP, "solo-broker");
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName).containsExactly(LabelerContract.CONTAINER_NAME);
    }

    @Test
    void theLeaseLockerIsInjectedOfflineAsAtAdmissionAndOnlyOnce() throws ManifestException {
        String input = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: orders}
                spec:
                  template:
                    metadata:
                      annotations: {activemq-ha: "true", activemq-ha/locker: lease, activemq-ha/lease-duration: 15s}
                    spec:
                      initContainers: [{name: prepare, image: busybox}]
                      containers: [{name: broker, image: apache/activemq-classic}]
                """;

        ManifestInjector.Result once = injector.inject(input);

        StatefulSet before = serialization.unmarshal(input, StatefulSet.class);
        PodTemplateSpec template = serialization.unmarshal(once.output(), StatefulSet.class).getSpec().getTemplate();
        assertThat(template.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME, LabelerContract.CONTAINER_NAME, "prepare");
        assertThat(template.getSpec().getInitContainers().get(1).getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple(LeaseContract.ENV_LEASE_GROUP, "orders"), tuple(LeaseContract.ENV_LEASE_DURATION, "15s"));
        assertThat(template.getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(tuple(LeaseContract.ENV_LEASE_URL, LeaseContract.DEFAULT_LEASE_URL));
        Pod templatePod = new Pod("v1", "Pod", before.getSpec().getTemplate().getMetadata(), before.getSpec().getTemplate().getSpec(), null);
        Pod expected = new PodInjector(InjectorConfig.defaults()).inject(templatePod, InjectionContext.workload("orders")).pod();
        assertThat(serialization.asJson(template.getSpec())).isEqualTo(serialization.asJson(expected.getSpec()));

        ManifestInjector.Result twice = injector.inject(once.output());
        assertThat(twice.injected()).isZero();
        assertThat(twice.output()).isEqualTo(once.output());
    }

    @Test
    void malformedYamlNamesItsLine() {
        String input = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\nspec: {}\n";

        assertThatThrownBy(() -> injector.inject(input)).isInstanceOfSatisfying(ManifestException.class, e -> {
            assertThat(e.line()).isEqualTo(9);
            assertThat(e.getMessage()).startsWith("line 9: malformed YAML");
        });
        assertThatThrownBy(() -> injector.inject("a: 1\nb: 2\na: 3\n")).isInstanceOfSatisfying(ManifestException.class, e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.getMessage()).contains("duplicate key a");
        });
    }

    @Test
    void aTemplateTheWebhookWouldDenyFailsTheRunNamingIt() {
        String input = manifests().replace("activemq-ha/broker-url: \"nio://localhost:61618\"", "activemq-ha/broker-url: \"localhost\"");

        assertThatThrownBy(() -> injector.inject(input)).isInstanceOfSatisfying(ManifestException.class, e ->
                assertThat(e.getMessage()).contains("StatefulSet billing-broker pod template")
                        .contains("annotation activemq-ha/broker-url=\"localhost\" is invalid"));
    }

    @Test
    void chunksAreTheParsersDocumentsAndReassembleExactly() {
        String input = manifests();
        List<YamlChunks.Chunk> chunks = chunks(input);

        assertThat(String.join("", chunks.stream().map(YamlChunks.Chunk::text).toList())).isEqualTo(input);
        assertThat(chunks).hasSize(9);
        assertThat(chunks.get(0).text()).startsWith("# A namespace's worth").contains("    ---\n");
        assertThat(chunks.get(2).line()).isEqualTo(input.substring(0, input.indexOf("# Source: orders/templates/deployment.yaml"))
                .split("\n", -1).length - 1);
        assertThat(chunks("a: 1\n...\n---\nb: 2\n")).extracting(YamlChunks.Chunk::text).containsExactly("a: 1\n...", "\n---\nb: 2\n");
        assertThat(chunks("a: 1\r\n--- \r\nb: 2")).extracting(YamlChunks.Chunk::line).containsExactly(1, 2);
        assertThat(chunks("a: 1\n...\n# after the end\n")).extracting(YamlChunks.Chunk::text, YamlChunks.Chunk::mapping)
                .containsExactly(tuple("a: 1\n...", true), tuple("\n# after the end\n", false));
        assertThat(chunks("--- [a]\n--- {a: 1} # c\n")).extracting(YamlChunks.Chunk::mapping).containsExactly(false, true);
    }

    /** ../shared/findings/inject-roundtrip.yaml: inject wrote a document whose {@code ...} end it had dropped. */
    @Test
    void theSharedRoundTripFindingIsRefusedWithItsLineInsteadOfWrittenUnreadable() throws ManifestException {
        String finding = resource("/inject/findings/inject-roundtrip.yaml");

        // After "...", YAML 1.1 (and so kubectl's decoder) wants "---" before another document: "ep" is not one.
        assertThatThrownBy(() -> injector.inject(finding)).isInstanceOfSatisfying(ManifestException.class, e ->
                assertThat(e.getMessage()).isEqualTo("line 10: malformed YAML: expected '<document start>', but found '<scalar>'"));

        // With a "---" after each "...", the same text is one YAML stream: the injected Deployment keeps the "..." that
        // ends it, and the output reads back with nothing left to inject.
        String valid = finding.replace("\n...\n", "\n...\n---\n");
        ManifestInjector.Result once = injector.inject(valid);
        assertThat(once.injected()).isEqualTo(1);
        assertThat(once.output()).contains("name:ssp\n...\n---\nep\n");
        ManifestInjector.Result twice = injector.inject(once.output());
        assertThat(twice.injected()).isZero();
        assertThat(twice.output()).isEqualTo(once.output());
    }

    @Test
    void documentEndMarkersDirectivesAndCommentsSurviveARewrite() throws ManifestException {
        String pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\n  annotations: {activemq-ha: \"true\"}\n"
                + "spec:\n  containers: [{name: broker, image: apache/activemq-classic}]\n";
        String input = "%YAML 1.1\n# heading\n---\n" + pod.formatted("a") + "# trailing a\n...\n"
                + "# between\n%YAML 1.1\n--- # marker comment\n" + pod.formatted("b") + "...\n"
                + "--- {apiVersion: v1, kind: Pod, metadata: {name: c, annotations: {activemq-ha: \"true\"}},"
                + " spec: {containers: [{name: broker, image: x}]}} # after c\n"
                + "---\n" + pod.formatted("d").indent(2) + "--- !!str scalar\n...\n# the end\n";

        ManifestInjector.Result once = injector.inject(input);

        assertThat(once.injected()).isEqualTo(4);
        String out = once.output();
        assertThat(out).startsWith("%YAML 1.1\n# heading\n---\napiVersion: v1\n")
                .contains("\n# trailing a\n...\n# between\n%YAML 1.1\n--- # marker comment\napiVersion: v1\n")
                .contains("\n...\n---\napiVersion: v1\n").contains("\n # after c\n---\napiVersion: v1\n")
                .endsWith("\n--- !!str scalar\n...\n# the end\n");
        assertThat(chunks(out)).extracting(YamlChunks.Chunk::mapping).containsExactly(true, true, true, true, false, false);
        ManifestInjector.Result twice = injector.inject(out);
        assertThat(twice.output()).isEqualTo(out);
        assertThat(twice.injected()).isZero();
        for (int i = 0; i < 4; i++) {
            Pod injected = serialization.unmarshal(document(out, i), Pod.class);
            assertThat(injected.getMetadata().getName()).isEqualTo(String.valueOf((char) ('a' + i)));
            assertThat(injected.getMetadata().getAnnotations()).containsKey(Annotations.INJECTED);
        }
    }

    @Test
    void aStreamThatIsNotOneYamlStreamIsRefusedWithTheLineOfTheProblem() {
        assertThatThrownBy(() -> injector.inject("a: 1\n...\nb: 2\n")).isInstanceOfSatisfying(ManifestException.class, e ->
                assertThat(e.line()).isEqualTo(3));
        assertThatThrownBy(() -> injector.inject("kind: ConfigMap\n---\nkey: \"\u0007\"\n")).isInstanceOfSatisfying(
                ManifestException.class, e -> assertThat(e.getMessage()).startsWith("line 3: malformed YAML: special characters are not allowed"));
        assertThatThrownBy(() -> injector.inject("\uD83D\uDE00: 1\n\uD83D\uDE00: \"\u0007\"\n")).isInstanceOfSatisfying(
                ManifestException.class, e -> assertThat(e.line()).isEqualTo(2));
    }

    private static String resource(String path) {
        try (InputStream in = ManifestInjectorTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(path, e);
        }
    }
}
