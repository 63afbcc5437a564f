package io.activemqha.webhook.admission;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonPatch;
import jakarta.json.JsonValue;

/**
 * Test support: loads AdmissionReview fixtures and applies returned patches with Jakarta JSON-P (Parsson), a JSON
 * Patch implementation independent of the zjsonpatch that computes them.
 */
public final class AdmissionFixtures {
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    public static byte[] bytes(String fixture) {
        try (InputStream in = AdmissionFixtures.class.getResourceAsStream("/admission/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + fixture);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonObject review(byte[] body) {
        return Json.createReader(new StringReader(new String(body, StandardCharsets.UTF_8))).readObject();
    }

    public static JsonObject object(byte[] reviewBody) {
        return review(reviewBody).getJsonObject("request").getJsonObject("object");
    }

    /** The base64 JSON Patch of an AdmissionReview response body, decoded. */
    public static JsonArray patchOf(String responseBody) {
        JsonObject response = review(responseBody.getBytes(StandardCharsets.UTF_8)).getJsonObject("response");
        String patch = new String(Base64.getDecoder().decode(response.getString("patch")), StandardCharsets.UTF_8);
        return Json.createReader(new StringReader(patch)).readArray();
    }

    public static JsonObject apply(JsonArray patch, JsonObject target) {
        JsonPatch jsonPatch = Json.createPatch(patch);
        return jsonPatch.apply(target);
    }

    /** The same AdmissionReview with its request object replaced, as the API server sends on reinvocation. */
    public static byte[] withObject(byte[] reviewBody, JsonValue object) {
        JsonObject review = review(reviewBody);
        JsonObject request = Json.createObjectBuilder(review.getJsonObject("request")).add("object", object).build();
        return Json.createObjectBuilder(review).add("request", request).build().toString().getBytes(StandardCharsets.UTF_8);
    }

    public Pod pod(JsonObject object) {
        return serialization.unmarshal(object.toString(), Pod.class);
    }

    public <T> T parse(String json, Class<T> type) {
        return serialization.unmarshal(json, type);
    }
}
