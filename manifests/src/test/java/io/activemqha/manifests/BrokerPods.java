package io.activemqha.manifests;

import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pods of a Deployment as the API server sees them: created by its ReplicaSet (generateName, owner reference,
 * the {@code kube-api-access-*} token volume the ServiceAccount admission plugin adds before webhooks run), sent
 * through the real mutation code as an AdmissionReview, with the returned JSON Patch applied by an independent JSON
 * Patch implementation (parsson), then named by the API server.
 */
final class BrokerPods {
    static final String TEMPLATE_HASH = "7c9d8f6b5";
    private static final String TOKEN_VOLUME = "kube-api-access-x7k2p";

    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final ObjectMapper json = new ObjectMapper();
    private final Deployment deployment;
    private final AdmissionReviewer reviewer;

    BrokerPods(Deployment deployment, AdmissionReviewer reviewer) {
        this.deployment = deployment;
        this.reviewer = reviewer;
    }

    /** The pod the Deployment's ReplicaSet asks the API server to create, as it reaches the mutating webhooks. */
    Pod created() {
        PodTemplateSpec template = deployment.getSpec().getTemplate();
        String replicaSet = deployment.getMetadata().getName() + "-" + TEMPLATE_HASH;
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels());
        labels.put("pod-template-hash", TEMPLATE_HASH);
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withGenerateName(replicaSet + "-")
                .withNamespace(deployment.getMetadata().getNamespace())
                .withLabels(labels)
                .withAnnotations(template.getMetadata().getAnnotations())
                .addNewOwnerReference()
                .withApiVersion("apps/v1").withKind("ReplicaSet").withName(replicaSet)
                .withUid(UUID.randomUUID().toString()).withController(true).withBlockOwnerDeletion(true)
                .endOwnerReference()
                .endMetadata()
                .withSpec(serialization.clone(template.getSpec()))
                .build();
        // What the ServiceAccount admission plugin does before any webhook: the default account and its token.
        pod.getSpec().setServiceAccountName("default");
        pod.getSpec().getVolumes().add(new VolumeBuilder().withName(TOKEN_VOLUME).withNewProjected()
                .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L)
                .endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName("kube-root-ca.crt")
                .addNewItem().withKey("ca.crt").withPath("ca.crt").endItem().endConfigMap().endSource()
                .withDefaultMode(420)
                .endProjected().build());
        pod.getSpec().getContainers().forEach(container -> container.getVolumeMounts().add(new VolumeMountBuilder()
                .withName(TOKEN_VOLUME).withMountPath("/var/run/secrets/kubernetes.io/serviceaccount")
                .withReadOnly(true).build()));
        return pod;
    }

    /** The AdmissionReview (v1, CREATE) the API server sends for {@code pod}. */
    String admissionReview(Pod pod) {
        ObjectNode review = json.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.putObject("requestKind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("requestResource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", pod.getMetadata().getNamespace());
        request.put("operation", "CREATE");
        ObjectNode user = request.putObject("userInfo");
        user.put("username", "system:serviceaccount:kube-system:replicaset-controller");
        user.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:kube-system").add("system:authenticated");
        request.set("object", json.readTree(serialization.asJson(pod)));
        request.putObject("options").put("apiVersion", "meta.k8s.io/v1").put("kind", "CreateOptions");
        request.put("dryRun", false);
        return json.writeValueAsString(review);
    }

    /** The real webhook's answer for {@code pod}. */
    AdmissionResult admit(Pod pod) {
        return reviewer.review(admissionReview(pod).getBytes(StandardCharsets.UTF_8));
    }

    /** The JSON Patch the answer carries (base64 in {@code response.patch}), checked to be a JSONPatch for this request. */
    JsonArray patchOf(AdmissionResult result) {
        JsonNode response = json.readTree(result.body()).path("response");
        if (!response.path("allowed").asBoolean(false)) {
            throw new AssertionError("the webhook did not allow the pod: " + result.body());
        }
        if (!"JSONPatch".equals(response.path("patchType").asString(""))) {
            throw new AssertionError("the answer carries no JSONPatch: " + result.body());
        }
        String decoded = new String(Base64.getDecoder().decode(response.path("patch").asString()), StandardCharsets.UTF_8);
        try (JsonReader reader = Json.createReader(new StringReader(decoded))) {
            return reader.readArray();
        }
    }

    /** {@code pod} after the API server applied the webhook's patch and named it {@code name}. */
    Pod admitted(Pod pod, String name) {
        AdmissionResult result = admit(pod);
        JsonObject patched = Json.createPatch(patchOf(result)).apply(toJson(pod));
        Pod admitted = serialization.unmarshal(patched.toString(), Pod.class);
        admitted.getMetadata().setName(name);
        admitted.getMetadata().setUid(UUID.randomUUID().toString());
        return admitted;
    }

    /** {@code pod} after a JSON merge patch (RFC 7386), the kind of patch the labeler sends. */
    Pod mergePatched(Pod pod, String mergePatch) {
        try (JsonReader reader = Json.createReader(new StringReader(mergePatch))) {
            JsonObject patched = Json.createMergePatch(reader.readValue()).apply(toJson(pod)).asJsonObject();
            return serialization.unmarshal(patched.toString(), Pod.class);
        }
    }

    JsonNode toJsonNode(Pod pod) {
        return json.readTree(serialization.asJson(pod));
    }

    private JsonObject toJson(Pod pod) {
        try (JsonReader reader = Json.createReader(new StringReader(serialization.asJson(pod)))) {
            return reader.readObject();
        }
    }
}
