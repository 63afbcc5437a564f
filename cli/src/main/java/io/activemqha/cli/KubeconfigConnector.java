package io.activemqha.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;

/**
 * Connects like kubectl: {@link Config#autoConfigure} reads {@code $KUBECONFIG} (or {@code ~/.kube/config}, or the
 * in-cluster service account) and the chosen context; {@code --kubeconfig} names the file instead.
 */
public final class KubeconfigConnector implements ClusterConnector {
    private static final int RETRIES = 1;

    @Override
    public KubernetesClient connect(ClusterOptions options) {
        Config config = options.kubeconfig() == null
                ? Config.autoConfigure(options.context())
                : Config.fromKubeconfig(options.context(), new File(options.kubeconfig()));
        // The client's default (10 retries with back-off) keeps an unreachable server waiting ~20 s; a command
        // retries once and then reports exit 3.
        config.setRequestRetryBackoffLimit(RETRIES);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
