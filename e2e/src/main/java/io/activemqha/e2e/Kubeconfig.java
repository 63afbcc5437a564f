package io.activemqha.e2e;

import java.nio.file.Path;

/** Renders single-cluster kubeconfigs for the test control plane (current context {@code e2e}). */
public final class Kubeconfig {
    private Kubeconfig() {
    }

    /** Authenticates with a client certificate (file references). */
    public static String withClientCertificate(String server, Path caCertificate, PemKeyPairFiles client) {
        return render(server, caCertificate, """
                    client-certificate: %s
                    client-key: %s
                """.formatted(client.certificate().toAbsolutePath(), client.key().toAbsolutePath()));
    }

    /** Authenticates with a bearer token, e.g. a service account's from a TokenRequest. */
    public static String withToken(String server, Path caCertificate, String token) {
        return render(server, caCertificate, "    token: " + token + "\n");
    }

    private static String render(String server, Path caCertificate, String user) {
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
                %scontexts:
                - name: e2e
                  context:
                    cluster: e2e
                    user: e2e
                current-context: e2e
                """.formatted(server, caCertificate.toAbsolutePath(), user);
    }
}
