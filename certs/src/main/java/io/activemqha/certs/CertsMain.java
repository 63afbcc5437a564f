package io.activemqha.certs;

import io.activemqha.certs.cli.CertsCommandLine;
import io.activemqha.certs.cli.CliEnvironment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * {@code java -jar activemq-ha-certs.jar <create|patch|check>}: creates, renews and checks the webhook's
 * certificates and writes its caBundle (see docs/certs.md).
 */
public final class CertsMain {
    /** A failed API call is retried this often: the Job running this tool is retried as a whole anyway. */
    private static final int API_RETRIES = 2;

    private CertsMain() {
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        try (LazyClient client = new LazyClient()) {
            int exitCode = CertsCommandLine.create(new CliEnvironment(Clock.systemUTC(), client)).execute(args);
            System.exit(exitCode);
        }
    }

    /** Builds the in-cluster or kubeconfig client on first use only: file-only commands never need one. */
    private static final class LazyClient implements Supplier<KubernetesClient>, AutoCloseable {
        private KubernetesClient client;

        @Override
        public synchronized KubernetesClient get() {
            if (client == null) {
                Config config = new ConfigBuilder(Config.autoConfigure(null))
                        .withRequestRetryBackoffLimit(API_RETRIES).build();
                client = new KubernetesClientBuilder().withConfig(config).build();
            }
            return client;
        }

        @Override
        public synchronized void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
