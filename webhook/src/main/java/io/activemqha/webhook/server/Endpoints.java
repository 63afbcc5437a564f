package io.activemqha.webhook.server;

/** The HTTP paths the webhook serves. */
public final class Endpoints {
    /** {@code POST}: AdmissionReview in, AdmissionReview out. */
    public static final String MUTATE = "/mutate";
    /** {@code GET}: liveness; 200 while the event loop answers. */
    public static final String HEALTHZ = "/healthz";
    /** {@code GET}: readiness; 200 once a valid, unexpired TLS certificate is being served. */
    public static final String READYZ = "/readyz";
    /** {@code GET}: Prometheus text exposition. */
    public static final String METRICS = "/metrics";

    private Endpoints() {
    }
}
