package io.activemqha.webhook.admission;

import static io.activemqha.webhook.admission.AdmissionFixtures.apply;
import static io.activemqha.webhook.admission.AdmissionFixtures.bytes;
import static io.activemqha.webhook.admission.AdmissionFixtures.object;
import static io.activemqha.webhook.admission.AdmissionFixtures.patchOf;
import static io.activemqha.webhook.admission.AdmissionFixtures.withObject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class AdmissionReviewerTest {
    private final AdmissionReviewer reviewer = new AdmissionReviewer(InjectorConfig.defaults());
    private final AdmissionFixtures fixtures = new AdmissionFixtures();
    private final JsonMapper jackson = JsonMapper.builder().build();

    /** Reviews a fixture, checks the answer is an allowed v1 injection and returns the patched object. */
    private JsonObject injectedObject(byte[] body) {
        AdmissionResult result = reviewer.review(body);
        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.outcome()).isEqualTo(Outcome.INJECTED);
        AdmissionReview response = fixtures.parse(result.body(), AdmissionReview.class);
        assertThat(response.getResponse().getAllowed()).isTrue();
        assertThat(response.getResponse().getPatchType()).isEqualTo("JSONPatch");
        assertThat(response.getResponse().getUid()).isEqualTo(result.uid());
        return apply(patchOf(result.body()), object(body));
    }

    private AdmissionResult reviewAgain(byte[] body, JsonObject patched) {
        return reviewer.review(withObject(body, patched));
    }

    @Test
    void replicaSetPodGetsExactlyTheIntendedChanges() {
        byte[] body = bytes("replicaset-pod.json");
        AdmissionResult result = reviewer.review(body);
        assertThat(result.uid()).isEqualTo("0f7c3a9e-1b2d-4e5f-8a6b-7c8d9e0f1a2b");
        assertThat(result.apiVersion()).isEqualTo(AdmissionReviewer.V1);
        assertThat(result.namespace()).isEqualTo("messaging");
        assertThat(result.podName()).isEqualTo("orders-broker-6b8f9c7d5-");
        assertThat(result.serviceAccount()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(result.needsRbacProvisioning()).isTrue();
        assertThat(result.dryRun()).isFalse();
        assertThat(result.contentType()).isEqualTo("application/json");

        JsonObject patched = injectedObject(body);
        Pod pod = fixtures.pod(patched);
        assertThat(pod.getMetadata().getLabels())
                .containsEntry(Labels.LEADER, Labels.LEADER_NO)
                .containsEntry(Labels.GROUP, "orders-broker")
                .containsEntry("app.kubernetes.io/name", "activemq");
        assertThat(pod.getMetadata().getAnnotations()).containsKey(Annotations.INJECTED);
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(pod.getSpec().getServiceAccount()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LabelerContract.CONTAINER_NAME, "wait-for-store");
        assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
                .containsExactly("kahadb", "conf", LabelerContract.TOKEN_VOLUME_NAME);
        // The broker side keeps no API credentials; only the labeler mounts a token.
        assertThat(Stream.concat(pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
                .filter(c -> c.getVolumeMounts() != null)
                .flatMap(c -> c.getVolumeMounts().stream().map(m -> c.getName() + ":" + m.getName()))
                .filter(m -> m.contains("token") || m.contains("kube-api-access")))
                .containsExactly(LabelerContract.CONTAINER_NAME + ":" + LabelerContract.TOKEN_VOLUME_NAME);
        assertThat(pod.getSpec().getContainers().get(1).getVolumeMounts()).isNullOrEmpty();

        assertThat(withoutInjection(patched)).isEqualTo(withoutPluginToken(object(body)));
        assertThat(reviewAgain(body, patched).outcome()).isEqualTo(Outcome.SKIPPED);
    }

    /** The patched pod with every intended change undone, for comparison with the original. */
    private JsonNode withoutInjection(JsonObject patched) {
        ObjectNode pod = (ObjectNode) jackson.readTree(patched.toString());
        ObjectNode metadata = (ObjectNode) pod.get("metadata");
        ((ObjectNode) metadata.get("labels")).remove(List.of(Labels.LEADER, Labels.GROUP));
        ((ObjectNode) metadata.get("annotations")).remove(Annotations.INJECTED);
        ObjectNode spec = (ObjectNode) pod.get("spec");
        spec.put("serviceAccountName", "default");
        spec.put("serviceAccount", "default");
        spec.remove("automountServiceAccountToken");
        ((ArrayNode) spec.get("initContainers")).remove(0);
        ArrayNode volumes = (ArrayNode) spec.get("volumes");
        volumes.remove(volumes.size() - 1);
        return pod;
    }

    /** The original with the ServiceAccount plugin's token volume and mounts removed (and empty mount lists dropped). */
    private JsonNode withoutPluginToken(JsonObject original) {
        ObjectNode pod = (ObjectNode) jackson.readTree(original.toString());
        ObjectNode spec = (ObjectNode) pod.get("spec");
        removeTokenEntries((ArrayNode) spec.get("volumes"));
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : spec.get(list)) {
                ArrayNode mounts = (ArrayNode) container.get("volumeMounts");
                removeTokenEntries(mounts);
                if (mounts.isEmpty()) {
                    ((ObjectNode) container).remove("volumeMounts");
                }
            }
        }
        return pod;
    }

    private static void removeTokenEntries(ArrayNode entries) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).path("name").asString("").startsWith("kube-api-access-")) {
                entries.remove(i);
            }
        }
    }

    @Test
    void podWithoutLabelsGetsALabelMap() {
        byte[] body = bytes("no-labels-pod.json");
        assertThat(object(body).getJsonObject("metadata").containsKey("labels")).isFalse();

        Pod pod = fixtures.pod(injectedObject(body));

        assertThat(pod.getMetadata().getLabels()).containsOnlyKeys(Labels.LEADER, Labels.GROUP)
                .containsEntry(Labels.GROUP, "solo-broker");
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts()).isNullOrEmpty();
        assertThat(reviewer.review(body).podName()).isEqualTo("solo-broker");
    }

    @Test
    void existingLeaderYesIsOverwrittenAndRegularContainerAppended() {
        byte[] body = bytes("leader-yes-pod.json");

        JsonObject patched = injectedObject(body);
        Pod pod = fixtures.pod(patched);

        assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO)
                .containsEntry(Labels.GROUP, "ha-broker");
        assertThat(pod.getSpec().getInitContainers()).isNullOrEmpty();
        assertThat(pod.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("broker", LabelerContract.CONTAINER_NAME);
        assertThat(pod.getSpec().getContainers().get(1).getRestartPolicy()).isNull();
        assertThat(reviewAgain(body, patched).outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void customServiceAccountIsKeptAndWarnedAbout() {
        byte[] body = bytes("custom-sa-pod.json");
        AdmissionResult result = reviewer.review(body);

        assertThat(result.warnings()).singleElement().asString().contains("orders-broker").contains(RbacNames.LABELER_CLUSTER_ROLE);
        assertThat(fixtures.parse(result.body(), AdmissionReview.class).getResponse().getWarnings()).isEqualTo(result.warnings());
        assertThat(result.serviceAccount()).isNull();
        assertThat(result.needsRbacProvisioning()).isFalse();
        Pod pod = fixtures.pod(injectedObject(body));
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("orders-broker");
        assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName).doesNotContain("kube-api-access-7xk2p");
    }

    @Test
    void alreadyInjectedPodGetsNoPatch() {
        byte[] body = bytes("injected-pod.json");

        AdmissionResult result = reviewer.review(body);

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.reason()).isEqualTo("already injected");
        assertNoPatch(result);
    }

    private void assertNoPatch(AdmissionResult result) {
        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.patch()).isNull();
        AdmissionReview response = fixtures.parse(result.body(), AdmissionReview.class);
        assertThat(response.getResponse().getAllowed()).isTrue();
        assertThat(response.getResponse().getPatch()).isNull();
        assertThat(response.getResponse().getPatchType()).isNull();
        assertThat(response.getResponse().getUid()).isEqualTo(result.uid());
    }

    @ParameterizedTest
    @ValueSource(strings = {"annotation-false-pod.json", "not-annotated-pod.json"})
    void optedOutPodsAreAllowedUnchanged(String fixture) {
        AdmissionResult result = reviewer.review(bytes(fixture));

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertNoPatch(result);
    }

    @Test
    void invalidOptInIsDeniedNamingTheAnnotation() {
        AdmissionResult result = reviewer.review(bytes("annotation-invalid-pod.json"));

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        AdmissionReview response = fixtures.parse(result.body(), AdmissionReview.class);
        assertThat(response.getResponse().getAllowed()).isFalse();
        assertThat(response.getResponse().getPatch()).isNull();
        assertThat(response.getResponse().getStatus().getCode()).isEqualTo(403);
        assertThat(response.getResponse().getStatus().getMessage())
                .contains("annotation activemq-ha=\"enabled\" is invalid").contains("\"true\"").contains("\"false\"");
    }

    static Stream<Arguments> invalidOverrides() {
        return Stream.of(
                Arguments.of(Annotations.LABELER_IMAGE, "", "non-empty container image"),
                Arguments.of(Annotations.LABELER_IMAGE, "repo/labeler: 1", "without whitespace"),
                Arguments.of(Annotations.BROKER_URL, "localhost:61616", "SCHEME://HOST:PORT"),
                Arguments.of(Annotations.BROKER_URL, "tcp://localhost", "port 1-65535"),
                Arguments.of(Annotations.BROKER_URL, "failover:(tcp://a:61616)", "tcp, ssl, nio, nio+ssl"),
                Arguments.of(Annotations.HEALTH_PORT, "http", "port number 1-65534"),
                Arguments.of(Annotations.HEALTH_PORT, "0", "port number 1-65534"),
                Arguments.of(Annotations.HEALTH_PORT, "65535", "port number 1-65534 (the labeler's lease endpoint takes the next one)"),
                Arguments.of(Annotations.NATIVE_SIDECAR, "True", "\"true\" or \"false\""),
                Arguments.of(Annotations.BROKER_API_ACCESS, "1", "\"true\" or \"false\""),
                Arguments.of(Annotations.LABELER_CPU_REQUEST, "ten", "Kubernetes quantity"),
                Arguments.of(Annotations.LABELER_CPU_LIMIT, "-1", "non-negative"),
                Arguments.of(Annotations.LABELER_MEMORY_REQUEST, "64MB", "Kubernetes quantity"),
                Arguments.of(Annotations.LABELER_MEMORY_LIMIT, "1.5.0Gi", "Kubernetes quantity"),
                Arguments.of(Annotations.GROUP, "Not a label!", "valid label value"),
                Arguments.of(Annotations.LOCKER, "zookeeper", "must be \"shared-file\" (the default: KahaDB's file lock) or \"lease\""),
                Arguments.of(Annotations.LEASE_DURATION, "10s", "only applies with activemq-ha/locker: \"lease\""),
                Arguments.of(Annotations.LOCKER_LIB_DIR, "/opt/locker", "only applies with activemq-ha/locker: \"lease\""));
    }

    @ParameterizedTest
    @MethodSource("invalidOverrides")
    void eachInvalidOverrideIsDeniedNamingAnnotationValueAndWhatIsAllowed(String annotation, String value, String allowed) {
        byte[] body = withAnnotation(bytes("replicaset-pod.json"), annotation, value);

        AdmissionResult result = reviewer.review(body);

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.serviceAccount()).isNull();
        String message = fixtures.parse(result.body(), AdmissionReview.class).getResponse().getStatus().getMessage();
        assertThat(message).contains("annotation " + annotation + "=\"" + value + "\" is invalid").contains(allowed);
    }

    @Test
    void anInvalidLeaseSettingIsDeniedWithItsMessage() {
        byte[] body = withAnnotation(withAnnotation(bytes("replicaset-pod.json"), Annotations.LOCKER, LeaseContract.LOCKER_LEASE),
                Annotations.LEASE_DURATION, "1500ms");

        AdmissionResult result = reviewer.review(body);

        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        AdmissionReview response = fixtures.parse(result.body(), AdmissionReview.class);
        assertThat(response.getResponse().getAllowed()).isFalse();
        assertThat(response.getResponse().getPatch()).isNull();
        assertThat(response.getResponse().getStatus().getCode()).isEqualTo(403);
        assertThat(response.getResponse().getStatus().getMessage()).isEqualTo("annotation activemq-ha/lease-duration=\"1500ms\""
                + " is invalid: expected whole seconds such as 10s (from 3s to 300s), got '1500ms'");
    }

    @Test
    void theLeaseLockerIsPatchedInAsChangesToTheContainersAndThenAdditions() {
        byte[] body = withAnnotation(bytes("replicaset-pod.json"), Annotations.LOCKER, LeaseContract.LOCKER_LEASE);
        JsonArray patch = patchOf(reviewer.review(body).body());

        // The plugin token's mounts are removed and the jar's added, not morphed one into the other; the pod's own
        // containers are edited in place, not morphed into the added ones.
        assertThat(patch.stream().map(JsonValue::asJsonObject).map(op -> op.getString("op") + " " + op.getString("path")))
                .containsExactlyInAnyOrder(
                        "add /metadata/labels/leader",
                        "add /metadata/labels/activemq-ha~1group",
                        "add /metadata/annotations/activemq-ha~1injected",
                        "replace /spec/serviceAccountName",
                        "replace /spec/serviceAccount",
                        "add /spec/automountServiceAccountToken",
                        "remove /spec/volumes/2",
                        "remove /spec/initContainers/0/volumeMounts/1",
                        "remove /spec/containers/0/volumeMounts/2",
                        "remove /spec/containers/1/volumeMounts",
                        "add /spec/initContainers/0/volumeMounts/1",
                        "add /spec/initContainers/0/env",
                        "add /spec/containers/0/volumeMounts/2",
                        "add /spec/containers/0/env/2",
                        "add /spec/containers/1/volumeMounts",
                        "add /spec/containers/1/env",
                        "add /spec/volumes/2",
                        "add /spec/volumes/3",
                        "add /spec/initContainers/0",
                        "add /spec/initContainers/1");

        JsonObject patched = injectedObject(body);
        Pod pod = fixtures.pod(patched);
        assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactly(LeaseContract.LOCKER_INSTALL_CONTAINER_NAME, LabelerContract.CONTAINER_NAME, "wait-for-store");
        assertThat(pod.getSpec().getVolumes()).extracting(Volume::getName)
                .containsExactly("kahadb", "conf", LabelerContract.TOKEN_VOLUME_NAME, LeaseContract.LOCKER_VOLUME_NAME);
        Container broker = pod.getSpec().getContainers().get(0);
        assertThat(broker.getVolumeMounts()).extracting(VolumeMount::getMountPath)
                .containsExactly("/opt/apache-activemq/data", "/opt/apache-activemq/conf/activemq.xml", LeaseContract.DEFAULT_LOCKER_LIB_DIR);
        assertThat(broker.getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("ACTIVEMQ_OPTS_MEMORY=-Xms512m -Xmx512m", "EMPTY=", LeaseContract.ENV_LEASE_URL + "="
                        + LeaseContract.DEFAULT_LEASE_URL);
        assertThat(pod.getSpec().getInitContainers().get(1).getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .contains(LeaseContract.ENV_LEASE_GROUP + "=orders-broker", LeaseContract.ENV_LEASE_DURATION + "=10s");
        assertThat(reviewAgain(body, patched).outcome()).isEqualTo(Outcome.SKIPPED);
    }

    private static byte[] withAnnotation(byte[] body, String annotation, String value) {
        JsonObject object = object(body);
        JsonObject metadata = object.getJsonObject("metadata");
        JsonObject annotations = Json.createObjectBuilder(metadata.getJsonObject("annotations")).add(annotation, value).build();
        JsonObject changed = Json.createObjectBuilder(object)
                .add("metadata", Json.createObjectBuilder(metadata).add("annotations", annotations)).build();
        return withObject(body, changed);
    }

    @Test
    void configMapIsAllowedWithoutPatch() {
        AdmissionResult result = reviewer.review(bytes("configmap.json"));

        assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(result.reason()).isEqualTo("not a pod (ConfigMap)");
        assertThat(result.podName()).isNull();
        assertNoPatch(result);
    }

    @Test
    void dryRunGetsTheSameAnswerAndIsFlagged() {
        AdmissionResult dry = reviewer.review(bytes("dryrun-pod.json"));
        AdmissionResult real = reviewer.review(bytes("replicaset-pod.json"));

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.outcome()).isEqualTo(Outcome.INJECTED);
        assertThat(dry.patch()).isEqualTo(real.patch());
        assertThat(dry.serviceAccount()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(dry.needsRbacProvisioning()).isFalse();
        injectedObject(bytes("dryrun-pod.json"));
    }

    @Test
    void v1beta1IsAnsweredInV1beta1() {
        byte[] body = bytes("v1beta1-pod.json");
        AdmissionResult result = reviewer.review(body);

        assertThat(result.apiVersion()).isEqualTo(AdmissionReviewer.V1BETA1);
        io.fabric8.kubernetes.api.model.admission.v1beta1.AdmissionReview response =
                fixtures.parse(result.body(), io.fabric8.kubernetes.api.model.admission.v1beta1.AdmissionReview.class);
        assertThat(response.getApiVersion()).isEqualTo(AdmissionReviewer.V1BETA1);
        assertThat(response.getKind()).isEqualTo("AdmissionReview");
        assertThat(response.getResponse().getUid()).isEqualTo("a1b2c3d4-0000-4000-8000-000000000009");
        assertThat(response.getResponse().getAllowed()).isTrue();
        assertThat(response.getResponse().getPatchType()).isEqualTo("JSONPatch");
        Pod pod = fixtures.pod(apply(patchOf(result.body()), object(body)));
        assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.GROUP, "orders-broker");

        AdmissionResult denied = result.deny("cannot provision");
        assertThat(fixtures.parse(denied.body(), io.fabric8.kubernetes.api.model.admission.v1beta1.AdmissionReview.class)
                .getApiVersion()).isEqualTo(AdmissionReviewer.V1BETA1);
    }

    @Test
    void keysNeedingPointerEscapesArePatchedAndPreserved() {
        byte[] body = bytes("escaping-pod.json");
        JsonArray patch = patchOf(reviewer.review(body).body());

        assertThat(patch.stream().map(op -> op.asJsonObject().getString("path")))
                .contains("/metadata/labels/activemq-ha~1group", "/metadata/annotations/activemq-ha~1injected");
        Pod pod = fixtures.pod(injectedObject(body));

        assertThat(pod.getMetadata().getLabels()).containsEntry("odd~key", "tilde").containsEntry("a~1b/c~0d", "both")
                .containsEntry("example.com/tier", "messaging").containsEntry(Labels.GROUP, "solo-broker");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("example.com/note~v2", "keep me").containsEntry("~", "x");
    }

    @Test
    void otherOperationsAreNotInjected() {
        JsonObject review = AdmissionFixtures.review(bytes("replicaset-pod.json"));
        JsonObject request = Json.createObjectBuilder(review.getJsonObject("request")).add("operation", "UPDATE").build();
        byte[] update = Json.createObjectBuilder(review).add("request", request).build().toString().getBytes(StandardCharsets.UTF_8);

        AdmissionResult result = reviewer.review(update);

        assertThat(result.reason()).isEqualTo("operation UPDATE is not injected");
        assertNoPatch(result);
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("{\"apiVersion\": \"admission.k8s.io/v1\",\n \"kind\": ", "malformed JSON", "line 2"),
                Arguments.of("", "not a JSON object", ""),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\"}}\n{}",
                        "malformed JSON", "Trailing token"),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\","
                        + "\"uid\":\"u2\"}}", "malformed JSON", "Duplicate Object property \"uid\""),
                Arguments.of("[1, 2]", "not a JSON object", ""),
                Arguments.of("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}",
                        "expected kind AdmissionReview", "got kind \"Pod\" apiVersion \"v1\""),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}",
                        "expected kind AdmissionReview", "admission.k8s.io/v2"),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", "has no request", ""),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"kind\":"
                        + "{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}}}", "has no uid", ""),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"\"}}",
                        "has no uid", ""),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\","
                        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\"}}", "has no object", ""),
                Arguments.of("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\","
                        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\","
                        + "\"object\":{\"kind\":\"Pod\",\"spec\":{\"containers\":\"not a list\"}}}}", "not a valid Pod", ""));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badRequestsGet400WithAPreciseMessage(String body, String message, String detail) {
        AdmissionResult result = reviewer.review(body.getBytes(StandardCharsets.UTF_8));

        assertThat(result.httpStatus()).isEqualTo(400);
        assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(result.contentType()).startsWith("text/plain");
        assertThat(result.body()).contains(message).contains(detail);
        assertThat(result.needsRbacProvisioning()).isFalse();
    }

    @Test
    void anInjectionCanBeTurnedIntoADenial() {
        AdmissionResult injected = reviewer.review(bytes("replicaset-pod.json"));

        AdmissionResult denied = injected.deny(500, "cannot ensure ServiceAccount messaging/activemq-leader-labeler: forbidden");

        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(denied.httpStatus()).isEqualTo(200);
        assertThat(denied.needsRbacProvisioning()).isFalse();
        assertThat(denied.uid()).isEqualTo(injected.uid());
        AdmissionReview response = fixtures.parse(denied.body(), AdmissionReview.class);
        assertThat(response.getApiVersion()).isEqualTo(AdmissionReviewer.V1);
        assertThat(response.getResponse().getUid()).isEqualTo(injected.uid());
        assertThat(response.getResponse().getAllowed()).isFalse();
        assertThat(response.getResponse().getPatch()).isNull();
        assertThat(response.getResponse().getStatus().getCode()).isEqualTo(500);
        assertThat(response.getResponse().getStatus().getMessage()).contains("forbidden");

        AdmissionResult bad = reviewer.review("{}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> bad.deny("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theReplicaSetPatchIsExactlyTheIntendedOperations() {
        JsonArray patch = patchOf(reviewer.review(bytes("replicaset-pod.json")).body());

        // No morphing of existing entries, no round-trip noise: changes and removals, then the two additions.
        assertThat(patch.stream().map(JsonValue::asJsonObject).map(op -> op.getString("op") + " " + op.getString("path")))
                .containsExactlyInAnyOrder(
                        "add /metadata/labels/leader",
                        "add /metadata/labels/activemq-ha~1group",
                        "add /metadata/annotations/activemq-ha~1injected",
                        "replace /spec/serviceAccountName",
                        "replace /spec/serviceAccount",
                        "add /spec/automountServiceAccountToken",
                        "remove /spec/volumes/2",
                        "remove /spec/initContainers/0/volumeMounts/1",
                        "remove /spec/containers/0/volumeMounts/2",
                        "remove /spec/containers/1/volumeMounts",
                        "add /spec/volumes/2",
                        "add /spec/initContainers/0");
        assertThat(patch.get(patch.size() - 1).asJsonObject().getJsonObject("value").getString("name"))
                .isIn(LabelerContract.CONTAINER_NAME, LabelerContract.TOKEN_VOLUME_NAME);
    }
}
