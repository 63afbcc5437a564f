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

    /**
     * A transport failure in words: the client's own message repeats the operation (already in the action) and
     * the JDK HTTP client often throws without any message.
     */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof java.nio.channels.ClosedChannelException) {
                return "cannot connect to the Kubernetes API server (refused, closed or unreachable)";
            }
            if (cause instanceof java.net.UnknownHostException) {
                return "unknown API server host " + cause.getMessage();
            }
            if (cause instanceof javax.net.ssl.SSLException) {
                return "TLS with the API server failed: " + cause.getMessage();
            }
            if (cause instanceof java.net.http.HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
                return "the API server did not answer in time";
            }
            root = cause;
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
