package io.activemqha.webhook.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.stream.Stream;

import io.activemqha.common.LabelerContract;
import io.activemqha.webhook.admission.AdmissionFixtures;
import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.Outcome;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The properties every admission answer must have, whatever the request: a 200 or a 400 (never a 5xx or an
 * exception); a 200 is an AdmissionReview of the request's version carrying its uid; a patch applies with an
 * independent JSON Patch implementation (Parsson) to the object as sent, yields a Pod the fabric8 model reads with
 * exactly one {@code leader-labeler}, and admitting that pod again answers with no patch.
 */
final class AdmissionProperties {
    private final AdmissionReviewer reviewer;
    private final AdmissionFixtures fixtures = new AdmissionFixtures();
    // Exact decimals: a float the fuzzer wrote must reach Parsson as written, not rounded through a double.
    private final JsonMapper jackson = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .build();

    AdmissionProperties(AdmissionReviewer reviewer) {
        this.reviewer = reviewer;
    }

    /** Reviews {@code body} and checks every property; returns the result for callers that count outcomes. */
    AdmissionResult reviewAndCheck(byte[] body) {
        AdmissionResult result = reviewer.review(body);
        check(body, result);
        return result;
    }

    private void check(byte[] body, AdmissionResult result) {
        assertThat(result).isNotNull();
        assertThat(result.httpStatus()).as("HTTP status of %s", result.reason()).isIn(200, 400);
        if (result.httpStatus() == 400) {
            assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
            assertThat(result.body()).as("a 400 explains itself").isNotBlank();
            assertThat(result.patch()).isNull();
            return;
        }
        ObjectNode review;
        try {
            review = (ObjectNode) jackson.readTree(body);
        } catch (JacksonException e) {
            // Seen once in 1.3 million executions and never again in a fresh JVM: the long-lived reviewer read a body
            // that an independent parser refuses (invalid UTF-8 in a property name). Its answer must still be a
            // well-formed review of the uid it read; there is no independent request to compare with.
            review = null;
        }
        String apiVersion = review == null ? result.apiVersion() : review.path("apiVersion").stringValue();
        String uid = review == null ? result.uid() : review.path("request").path("uid").stringValue();

        JsonNode answer = jackson.readTree(result.body());
        assertThat(answer.path("kind").stringValue()).isEqualTo("AdmissionReview");
        assertThat(answer.path("apiVersion").stringValue()).isEqualTo(apiVersion);
        JsonNode response = answer.path("response");
        assertThat(response.path("uid").stringValue()).as("response uid").isEqualTo(uid);
        assertThat(response.path("allowed").isBoolean()).as("allowed is a boolean").isTrue();
        Class<?> model = AdmissionReviewer.V1.equals(apiVersion)
                ? io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview.class
                : io.fabric8.kubernetes.api.model.admission.v1beta1.AdmissionReview.class;
        assertThat(fixtures.parse(result.body(), model)).isNotNull();

        if (!response.path("allowed").booleanValue()) {
            assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
            assertThat(response.path("status").path("message").stringValue()).as("denial message").isNotBlank();
            assertThat(response.has("patch")).as("a denial carries no patch").isFalse();
            return;
        }
        if (!response.has("patch")) {
            assertThat(result.outcome()).isEqualTo(Outcome.SKIPPED);
            return;
        }
        assertThat(result.outcome()).isEqualTo(Outcome.INJECTED);
        assertThat(response.path("patchType").stringValue()).isEqualTo("JSONPatch");
        if (review == null) {
            return;
        }

        JsonObject original = parsson(review.path("request").path("object"));
        JsonObject patched = AdmissionFixtures.apply(AdmissionFixtures.patchOf(result.body()), original);
        Pod pod = fixtures.pod(patched);
        assertThat(labelerCount(pod.getSpec())).as("leader-labeler containers in the patched pod").isEqualTo(1);

        review.withObject("request").set("object", jackson.readTree(patched.toString()));
        AdmissionResult again = reviewer.review(jackson.writeValueAsBytes(review));
        assertThat(again.httpStatus()).as("re-admission status").isEqualTo(200);
        assertThat(again.outcome()).as("re-admission of the injected pod: %s", again.reason()).isEqualTo(Outcome.SKIPPED);
        assertThat(again.patch()).as("re-admission patch").isNull();
    }

    /** Containers and initContainers named {@code leader-labeler}. */
    static long labelerCount(PodSpec spec) {
        if (spec == null) {
            return 0;
        }
        return Stream.concat(
                        spec.getContainers() == null ? Stream.<Container>empty() : spec.getContainers().stream(),
                        spec.getInitContainers() == null ? Stream.<Container>empty() : spec.getInitContainers().stream())
                .filter(c -> c != null && LabelerContract.CONTAINER_NAME.equals(c.getName()))
                .count();
    }

    private JsonObject parsson(JsonNode node) {
        return Json.createReader(new StringReader(jackson.writeValueAsString(node))).readObject();
    }
}
