package io.activemqha.cli;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Opens a client for the cluster the options name: the one seam between the commands and the API server. */
@FunctionalInterface
public interface ClusterConnector {
    KubernetesClient connect(ClusterOptions options);
}
