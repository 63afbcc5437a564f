package io.activemqha.webhook.admission;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * Answers one AdmissionReview ({@code admission.k8s.io/v1} or {@code v1beta1}, answered in the request's version):
 * a pure function from the request body to an {@link AdmissionResult}, with no I/O. Pods annotated
 * {@code activemq-ha: "true"} are injected by {@link PodInjector}; the patch is the diff between the object exactly
 * as sent and the injected pod, so it applies to what the API server holds.
 */
public final class AdmissionReviewer {
    public static final String V1 = "admission.k8s.io/v1";
    public static final String V1BETA1 = "admission.k8s.io/v1beta1";
    private static final Set<String> VERSIONS = Set.of(V1, V1BETA1);

    private final PodInjector injector;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final PodPatch patches = new PodPatch(serialization);
    // A body with two "object" members or trailing data is refused rather than read one way here and another elsewhere.
    private final JsonMapper mapper = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    public AdmissionReviewer(InjectorConfig config) {
        this.injector = new PodInjector(Objects.requireNonNull(config, "config"));
    }

    /** Reviews one request body; never throws for bad input (that is a 400 result). */
    public AdmissionResult review(byte[] body) {
        JsonNode review;
        try {
            review = mapper.readTree(body);
        } catch (JacksonException e) {
            return AdmissionResult.badRequest("malformed JSON: " + e.getOriginalMessage() + location(e), null, null);
        }
        if (review == null || !review.isObject()) {
            return AdmissionResult.badRequest("the body is not a JSON object but an AdmissionReview is expected", null, null);
        }
        String apiVersion = text(review, "apiVersion");
        String kind = text(review, "kind");
        // Set.of(...).contains(null) throws: a body without apiVersion must be a 400, not an exception.
        if (!ReviewResponse.KIND.equals(kind) || apiVersion == null || !VERSIONS.contains(apiVersion)) {
            return AdmissionResult.badRequest("expected kind AdmissionReview with apiVersion " + V1 + " or " + V1BETA1
                    + ", got kind " + quoted(kind) + " apiVersion " + quoted(apiVersion), null, null);
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) {
            return AdmissionResult.badRequest("the AdmissionReview has no request object", apiVersion, null);
        }
        String uid = text(request, "uid");
        if (uid == null || uid.isEmpty()) {
            return AdmissionResult.badRequest("the AdmissionReview request has no uid", apiVersion, null);
        }
        return new Review(apiVersion, uid, request).answer();
    }

    /** One parsed request being answered. */
    private final class Review {
        private final String apiVersion;
        private final String uid;
        private final JsonNode request;
        private final String namespace;
        private final boolean dryRun;

        Review(String apiVersion, String uid, JsonNode request) {
            this.apiVersion = apiVersion;
            this.uid = uid;
            this.request = request;
            this.namespace = text(request, "namespace");
            this.dryRun = request.path("dryRun").asBoolean(false);
        }

        AdmissionResult answer() {
            JsonNode object = request.get("object");
            String group = text(request.path("kind"), "group");
            String kind = text(request.path("kind"), "kind");
            if (kind == null && object != null) {
                kind = text(object, "kind");
                group = "";
            }
            if (!"Pod".equals(kind) || (group != null && !group.isEmpty())) {
                String what = (group == null || group.isEmpty() ? "" : group + "/") + (kind == null ? "unknown kind" : kind);
                return allowed("not a pod (" + what + ")", null, null, null, List.of(), null);
            }
            String operation = text(request, "operation");
            if (operation != null && !"CREATE".equals(operation)) {
                return allowed("operation " + operation + " is not injected", null, null, null, List.of(), null);
            }
            String subResource = text(request, "subResource");
            if (subResource != null && !subResource.isEmpty()) {
                return allowed("subresource " + subResource + " is not injected", null, null, null, List.of(), null);
            }
            if (object == null || !object.isObject()) {
                return AdmissionResult.badRequest("the AdmissionReview request for a Pod has no object", apiVersion, uid);
            }
            Pod pod;
            try {
                // Bound from the parsed tree: printing it and parsing the text again cost a sixth of a review.
                pod = serialization.convertValue(object, Pod.class);
            } catch (RuntimeException e) {
                return AdmissionResult.badRequest("request.object is not a valid Pod: " + e.getMessage(), apiVersion, uid);
            }
            String podName = podName(pod);
            Injection injection = injector.inject(pod, InjectionContext.admission());
            return switch (injection.outcome()) {
                case INJECTED -> injected(object, injection, podName);
                case DENIED -> new AdmissionResult(200,
                        ReviewResponse.denied(apiVersion, uid, AdmissionResult.DENIAL_CODE, injection.message(), injection.warnings()),
                        Outcome.DENIED, injection.reason() + ": " + injection.message(), apiVersion, uid, namespace, podName,
                        dryRun, injection.warnings(), null, null);
                default -> allowed(injection.reason(), podName, null, null, injection.warnings(), null);
            };
        }

        private AdmissionResult injected(JsonNode object, Injection injection, String podName) {
            ArrayNode patch = patches.of(object, injection);
            String patchJson = mapper.writeValueAsString(patch);
            String base64 = Base64.getEncoder().encodeToString(patchJson.getBytes(StandardCharsets.UTF_8));
            return allowed(injection.reason(), podName, patchJson, base64, injection.warnings(), injection.labelerServiceAccount());
        }

        private AdmissionResult allowed(String reason, String podName, String patchJson, String base64Patch,
                                        List<String> warnings, String serviceAccount) {
            Outcome outcome = patchJson == null ? Outcome.SKIPPED : Outcome.INJECTED;
            return new AdmissionResult(200, ReviewResponse.allowed(apiVersion, uid, base64Patch, warnings), outcome, reason,
                    apiVersion, uid, namespace, podName, dryRun, warnings, patchJson, serviceAccount);
        }
    }

    private static String podName(Pod pod) {
        if (pod.getMetadata() == null) {
            return null;
        }
        String name = pod.getMetadata().getName();
        return name != null && !name.isEmpty() ? name : pod.getMetadata().getGenerateName();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static String quoted(String value) {
        return value == null ? "(none)" : "\"" + value + "\"";
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }
}
