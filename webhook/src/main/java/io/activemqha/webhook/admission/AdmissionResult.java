package io.activemqha.webhook.admission;

import java.util.List;
import java.util.Objects;

/**
 * The answer to one admission HTTP request, ready to send: status, body and content type, plus what the server
 * logs, counts and acts on (the outcome, the pod's identity, dryRun and the ServiceAccount to provision).
 *
 * @param httpStatus     200 for every AdmissionReview answer (allowed or denied); 400 for a request that is not a
 *                       usable AdmissionReview
 * @param body           the AdmissionReview response JSON, or for a 400 the plain-text error message
 * @param outcome        injected, skipped, denied or error (the 400s)
 * @param reason         a short reason for the log line, e.g. {@code injected}, {@code not a pod}
 * @param apiVersion     the request's AdmissionReview version, in which the body answers; {@code null} for a 400
 * @param uid            the request uid echoed in the body; {@code null} when the request had none
 * @param namespace      the request's namespace, may be {@code null}
 * @param podName        the pod's name, else its generateName; {@code null} for other kinds
 * @param dryRun         the request is a dry run: the server must not provision anything
 * @param warnings       admission warnings carried in the body
 * @param patch          the JSON Patch (RFC 6902) sent base64-encoded in the body, as JSON text; {@code null} when none
 * @param serviceAccount the labeler's ServiceAccount to ensure (with its RoleBinding) in {@link #namespace()} before
 *                       the answer is sent, or {@code null} when nothing needs provisioning
 */
public record AdmissionResult(
        int httpStatus,
        String body,
        Outcome outcome,
        String reason,
        String apiVersion,
        String uid,
        String namespace,
        String podName,
        boolean dryRun,
        List<String> warnings,
        String patch,
        String serviceAccount) {

    /** The HTTP status of a denial: the pod is forbidden, the review itself succeeded. */
    public static final int DENIAL_CODE = 403;

    public AdmissionResult {
        Objects.requireNonNull(outcome, "outcome");
        warnings = List.copyOf(warnings);
    }

    /** {@code application/json} for AdmissionReview answers, plain text for 400s. */
    public String contentType() {
        return httpStatus == 200 ? "application/json" : "text/plain; charset=utf-8";
    }

    /** Whether the server must ensure {@link #serviceAccount()} and its RoleBinding before answering (never on dryRun). */
    public boolean needsRbacProvisioning() {
        return outcome == Outcome.INJECTED && serviceAccount != null && !dryRun;
    }

    /**
     * This answer turned into a denial with {@code message} (in the request's AdmissionReview version, same uid),
     * e.g. when provisioning the ServiceAccount failed: the pod is refused and its controller retries.
     *
     * @param statusCode the code of the denial's status, e.g. {@link #DENIAL_CODE} or 500 for a failure of ours
     * @throws IllegalStateException for a 400 result, which has no AdmissionReview to answer
     */
    public AdmissionResult deny(int statusCode, String message) {
        if (apiVersion == null || uid == null) {
            throw new IllegalStateException("a " + httpStatus + " result has no AdmissionReview to deny");
        }
        String denial = ReviewResponse.denied(apiVersion, uid, statusCode, message, warnings);
        return new AdmissionResult(200, denial, Outcome.DENIED, reason(message), apiVersion, uid, namespace, podName,
                dryRun, warnings, null, null);
    }

    /** {@link #deny(int, String)} with {@link #DENIAL_CODE}. */
    public AdmissionResult deny(String message) {
        return deny(DENIAL_CODE, message);
    }

    static AdmissionResult badRequest(String message, String apiVersion, String uid) {
        return new AdmissionResult(400, message, Outcome.ERROR, "bad request: " + message, apiVersion, uid,
                null, null, false, List.of(), null, null);
    }

    private static String reason(String message) {
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }
}
