package io.activemqha.labeler.kube;

import io.activemqha.labeler.Throwables;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** One-line descriptions of API failures (no stack traces: every failure is retried anyway). */
public final class ApiErrors {
    private ApiErrors() {
    }

    public static String describe(Throwable t) {
        if (t instanceof KubernetesClientException k && k.getCode() > 0) {
            String reason = k.getStatus() != null && k.getStatus().getReason() != null ? " " + k.getStatus().getReason() : "";
            return "HTTP " + k.getCode() + reason;
        }
        return Throwables.oneLine(Throwables.rootCause(t));
    }
}
