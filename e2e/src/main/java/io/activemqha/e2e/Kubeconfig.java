package io.activemqha.e2e;

import java.nio.file.Path;

/** Renders a kubeconfig that authenticates with a client certificate (file references, no embedded secrets). */
public final class Kubeconfig {
    private Kubeconfig() {
    }

    /** A single-cluster, single-user kubeconfig for {@code server} whose current context is {@code e2e}. */
    public static String render(String server, Path caCertificate, CertificateFiles client) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: e2e
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: e2e
                  user:
                    client-certificate: %s
                    client-key: %s
                contexts:
                - name: e2e
                  context:
                    cluster: e2e
                    user: e2e
                current-context: e2e
                """.formatted(server, caCertificate.toAbsolutePath(), client.certificate().toAbsolutePath(),
                client.key().toAbsolutePath());
    }
}
