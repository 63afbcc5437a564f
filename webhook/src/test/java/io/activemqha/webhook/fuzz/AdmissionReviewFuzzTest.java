package io.activemqha.webhook.fuzz;

import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.activemqha.webhook.admission.AdmissionFixtures;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.InjectorConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Coverage-guided fuzzing of {@link AdmissionReviewer#review(byte[])} against {@link AdmissionProperties}: once with
 * arbitrary bytes, once with structure-aware edits of the realistic AdmissionReview fixtures. Without
 * {@code JAZZER_FUZZ} only the regression corpus under {@code AdmissionReviewFuzzTestInputs/} runs.
 */
class AdmissionReviewFuzzTest {
    /** The realistic requests every structured input starts from (src/test/resources/admission). */
    private static final List<String> FIXTURES = List.of("replicaset-pod.json", "no-labels-pod.json", "leader-yes-pod.json",
            "custom-sa-pod.json", "injected-pod.json", "annotation-false-pod.json", "annotation-invalid-pod.json",
            "not-annotated-pod.json", "configmap.json", "dryrun-pod.json", "v1beta1-pod.json", "escaping-pod.json");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AdmissionProperties properties = new AdmissionProperties(new AdmissionReviewer(InjectorConfig.defaults()));
    private final JsonMapper jackson = JsonMapper.builder().build();

    // Jackson is not instrumented, so the fuzzer learns JSON and AdmissionReview shapes from these and the seeds.
    @DictionaryEntries({"{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "\"apiVersion\"", "\"kind\"",
            "\"AdmissionReview\"", "\"admission.k8s.io/v1\"", "\"admission.k8s.io/v1beta1\"", "\"request\"", "\"uid\"",
            "\"object\"", "\"Pod\"", "\"metadata\"", "\"annotations\"", "\"activemq-ha\"", "\"spec\"",
            "\"containers\"", "\"name\"", "\"operation\"", "\"CREATE\"", "\"dryRun\""})
    @FuzzTest(maxDuration = "30s")
    void arbitraryBytes(byte[] body) {
        properties.reviewAndCheck(body);
    }

    @FuzzTest(maxDuration = "30s")
    void mutatedReviews(FuzzedDataProvider data) {
        ObjectNode review = (ObjectNode) jackson.readTree(AdmissionFixtures.bytes(data.pickValue(FIXTURES)));
        ObjectNode request = PodEdits.objectAt(review, "request");
        if (request.get("object") instanceof ObjectNode pod) {
            PodEdits.apply(data, pod, 8);
        }
        int envelopeEdits = data.consumeInt(0, 3);
        for (int i = 0; i < envelopeEdits && data.remainingBytes() > 0; i++) {
            editEnvelope(data, review, request);
        }
        properties.reviewAndCheck(jackson.writeValueAsBytes(review));
    }

    /** Edits what surrounds the pod: version, uid, dryRun, kind, operation, subresource, the object itself. */
    private static void editEnvelope(FuzzedDataProvider data, ObjectNode review, ObjectNode request) {
        switch (data.consumeInt(0, 7)) {
            case 0 -> review.put("apiVersion", data.pickValue(List.of(AdmissionReviewer.V1, AdmissionReviewer.V1BETA1,
                    "admission.k8s.io/v2", "", "v1")));
            case 1 -> request.set("dryRun", data.pickValue(List.<JsonNode>of(NODES.booleanNode(true),
                    NODES.booleanNode(false), NODES.stringNode("true"), NODES.nullNode())));
            case 2 -> {
                ObjectNode kind = request.putObject("kind");
                kind.put("group", data.pickValue(List.of("", "apps", "core")));
                kind.put("version", "v1");
                kind.put("kind", data.pickValue(List.of("Pod", "ConfigMap", "pod", "Deployment")));
            }
            case 3 -> request.put("operation", data.pickValue(List.of("CREATE", "UPDATE", "DELETE", "CONNECT", "")));
            case 4 -> {
                if (data.consumeBoolean()) {
                    request.remove("uid");
                } else {
                    request.put("uid", data.consumeString(40));
                }
            }
            case 5 -> request.put("subResource", data.pickValue(List.of("", "status", "ephemeralcontainers")));
            case 6 -> request.remove(data.pickValue(List.of("kind", "namespace", "operation", "dryRun")));
            default -> {
                switch (data.consumeInt(0, 2)) {
                    case 0 -> request.remove("object");
                    case 1 -> request.putNull("object");
                    default -> request.putArray("object").add(data.consumeString(10));
                }
            }
        }
    }
}
