package io.activemqha.webhook.admission;

import java.util.List;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders AdmissionReview responses. admission.k8s.io/v1 and v1beta1 responses have the same shape, so one
 * renderer serves both, stamped with the request's version as the API server requires.
 */
final class ReviewResponse {
    static final String KIND = "AdmissionReview";
    static final String PATCH_TYPE = "JSONPatch";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private ReviewResponse() {
    }

    static String allowed(String apiVersion, String uid, String base64Patch, List<String> warnings) {
        ObjectNode review = review(apiVersion);
        ObjectNode response = response(review, uid, true, warnings);
        if (base64Patch != null) {
            response.put("patchType", PATCH_TYPE);
            response.put("patch", base64Patch);
        }
        return MAPPER.writeValueAsString(review);
    }

    static String denied(String apiVersion, String uid, int code, String message, List<String> warnings) {
        ObjectNode review = review(apiVersion);
        ObjectNode status = response(review, uid, false, warnings).putObject("status");
        status.put("code", code);
        status.put("message", message);
        return MAPPER.writeValueAsString(review);
    }

    private static ObjectNode review(String apiVersion) {
        ObjectNode review = MAPPER.createObjectNode();
        review.put("apiVersion", apiVersion);
        review.put("kind", KIND);
        return review;
    }

    private static ObjectNode response(ObjectNode review, String uid, boolean allowed, List<String> warnings) {
        ObjectNode response = review.putObject("response");
        response.put("uid", uid);
        response.put("allowed", allowed);
        if (!warnings.isEmpty()) {
            warnings.forEach(response.putArray("warnings")::add);
        }
        return response;
    }
}
