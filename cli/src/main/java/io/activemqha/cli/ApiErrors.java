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
        return "cannot reach the API server: " + (root == e ? e.getMessage() : root.getClass().getSimpleName() + ": "
                + root.getMessage());
    }
}
