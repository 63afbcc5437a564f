package io.activemqha.certs.kube;

import io.activemqha.certs.CertsException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/** Turns Kubernetes API failures into one-line {@link CertsException}s that say what was attempted. */
public final class KubernetesErrors {
    private KubernetesErrors() {
    }

    /**
     * Runs {@code call}, describing a failure as "cannot {@code action}: status reason: message".
     *
     * @throws CertsException when the API call fails
     */
    public static <T> T call(String action, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw new CertsException("cannot " + action + ": " + describe(e), e);
        }
    }

    /** The HTTP status and the API server's message, without the client's request dump. */
    public static String describe(KubernetesClientException e) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : rootMessage(e);
        if (e.getCode() > 0) {
            String reason = e.getStatus() != null && e.getStatus().getReason() != null
                    ? " " + e.getStatus().getReason() : "";
            return "HTTP " + e.getCode() + reason + ": " + message;
        }
        return message;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : e.getMessage() + " (" + message + ")";
    }
}
