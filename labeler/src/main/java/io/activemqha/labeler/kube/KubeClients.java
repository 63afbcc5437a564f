package io.activemqha.labeler.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The fabric8 client as the labeler needs it: the standard configuration (in-cluster service account, or
 * {@code KUBECONFIG} for local runs) with short timeouts and without the client's own request retries,
 * so the label loop's back-off is the only retry policy and shutdown stays bounded.
 */
public final class KubeClients {
    static final int CONNECT_TIMEOUT_MILLIS = 2000;
    static final int REQUEST_TIMEOUT_MILLIS = 5000;

    private KubeClients() {
    }

    public static KubernetesClient standard() {
        Config config = Config.autoConfigure(null);
        config.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        config.setRequestTimeout(REQUEST_TIMEOUT_MILLIS);
        config.setRequestRetryBackoffLimit(0);
        config.setWatchReconnectInterval(500);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
