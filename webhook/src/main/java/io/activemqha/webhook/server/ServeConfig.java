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
 * @param admissionLogRate lines per second for allowed answers (denials and errors are always logged), see
 *                 {@link AdmissionLog}
 */
public record ServeConfig(ServerSettings server, TlsSettings tls, RbacSettings rbac, InjectorConfig injector,
                          int admissionLogRate) {
    public ServeConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(rbac, "rbac");
        Objects.requireNonNull(injector, "injector");
        if (admissionLogRate < 0) {
            throw new IllegalArgumentException("admission log rate must be 0 or more, got " + admissionLogRate);
        }
    }

    /** With the default admission log rate ({@link AdmissionLog#DEFAULT_ALLOWED_PER_SECOND}). */
    public ServeConfig(ServerSettings server, TlsSettings tls, RbacSettings rbac, InjectorConfig injector) {
        this(server, tls, rbac, injector, AdmissionLog.DEFAULT_ALLOWED_PER_SECOND);
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
