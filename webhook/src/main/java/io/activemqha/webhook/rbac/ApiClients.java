package io.activemqha.webhook.rbac;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.time.Duration;

/** Builds the webhook's Kubernetes API client. */
public final class ApiClients {
    private ApiClients() {
    }

    /**
     * A client on {@code base} (in-cluster service account or KUBECONFIG: {@code Config.autoConfigure(null)}) whose
     * HTTP transport runs on the webhook's own Vert.x instance, with timeouts short enough that a denial still
     * reaches the API server within the webhook's {@code timeoutSeconds}. Retries are off: the pod's controller
     * retries the whole admission.
     */
    public static KubernetesClient create(Vertx vertx, Config base, Duration requestTimeout) {
        int millis = Math.toIntExact(requestTimeout.toMillis());
        Config config = new ConfigBuilder(base)
                .withConnectionTimeout(millis)
                .withRequestTimeout(millis)
                .withRequestRetryBackoffLimit(0)
                .build();
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                .build();
    }
}
