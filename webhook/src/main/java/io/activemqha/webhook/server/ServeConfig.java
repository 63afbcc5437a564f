package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.server.tls.TlsFiles;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@code serve} runs with, validated by {@link ServeCommand}.
 *
 * @param server   listen address, port and body limit
 * @param tls      where the certificate comes from and how often it is re-read
 * @param rbac     per-namespace provisioning of the labeler's ServiceAccount and RoleBinding
 * @param injector the cluster-wide injection defaults
 */
public record ServeConfig(ServerSettings server, TlsSettings tls, RbacSettings rbac, InjectorConfig injector) {
    public ServeConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(rbac, "rbac");
        Objects.requireNonNull(injector, "injector");
    }

    /**
     * @param files          the mounted {@code tls.crt}/{@code tls.key}, or {@code null} for development mode
     *                       (a throwaway self-signed certificate)
     * @param reloadInterval how often the files are checked for a new certificate
     */
    public record TlsSettings(TlsFiles files, Duration reloadInterval) {
        public TlsSettings {
            positive("certificate reload interval", reloadInterval);
        }

        public boolean development() {
            return files == null;
        }
    }

    /**
     * @param provision whether the webhook creates the labeler's ServiceAccount and RoleBinding itself
     * @param cacheTtl  how long a namespace counts as provisioned before the next pod re-applies
     * @param timeout   bound on one provisioning, under the MutatingWebhookConfiguration's timeoutSeconds
     */
    public record RbacSettings(boolean provision, Duration cacheTtl, Duration timeout) {
        public RbacSettings {
            positive("RBAC cache TTL", cacheTtl);
            positive("RBAC timeout", timeout);
        }
    }

    private static void positive(String what, Duration duration) {
        Objects.requireNonNull(duration, what);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive, got " + Durations.format(duration));
        }
    }
}
