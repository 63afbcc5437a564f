package io.activemqha.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** One line for an API failure: the status code and message, or the network cause when there was no answer. */
final class ApiErrors {
    private ApiErrors() {
    }

    static String describe(KubernetesClientException e) {
        if (e.getCode() > 0) {
            return "the API server answered " + e.getCode() + ": " + e.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // Network failures often carry no message of their own (UnresolvedAddressException): the type says it.
        String cause = root == e ? e.getMessage()
                : root.getMessage() == null ? root.getClass().getSimpleName()
                : root.getClass().getSimpleName() + ": " + root.getMessage();
        return "cannot reach the API server: " + cause;
    }
}
