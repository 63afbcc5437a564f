package io.activemqha.labeler.kube;

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
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + firstLine(message));
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
