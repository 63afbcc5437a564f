package io.activemqha.common;

/**
 * File names (and Secret data keys) of the webhook's TLS material, shared by the certs tool that writes them,
 * the webhook that serves with them and the manifests in deploy/ that mount them.
 */
public final class CertificateFiles {
    /** The serving certificate (PEM), the key of a {@code kubernetes.io/tls} Secret. */
    public static final String TLS_CRT = "tls.crt";
    /** The serving certificate's private key (PKCS#8 PEM). */
    public static final String TLS_KEY = "tls.key";
    /** The CA bundle (PEM, one or more CA certificates): what goes into a webhook's {@code caBundle}. */
    public static final String CA_CRT = "ca.crt";
    /** The private key of the current CA, kept apart from the serving material (see docs/certs.md). */
    public static final String CA_KEY = "ca.key";
    /** Suffix of the Secret holding {@link #CA_KEY}, appended to the serving Secret's name by default. */
    public static final String CA_SECRET_SUFFIX = "-ca";

    private CertificateFiles() {
    }
}
