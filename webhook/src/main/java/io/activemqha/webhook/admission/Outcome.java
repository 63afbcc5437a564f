package io.activemqha.webhook.admission;

import java.util.Locale;

/** How one admission ended; the {@link #label()} is the metrics and log value. */
public enum Outcome {
    /** The pod got the labeler injected (a non-empty patch). */
    INJECTED,
    /** Allowed unchanged: not annotated, not a pod, already injected. */
    SKIPPED,
    /** Denied with a message (bad annotation value, RBAC provisioning failure). */
    DENIED,
    /** The request itself was bad or handling failed (HTTP 4xx/5xx). */
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
