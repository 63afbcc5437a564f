package io.activemqha.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A TLS serving (leaf) certificate and its private key.
 *
 * @param certificate the leaf, signed by a {@link CertificateAuthority}
 * @param privateKey  its key
 */
public record ServingCertificate(X509Certificate certificate, PrivateKey privateKey) {
    /** PEM of the certificate, as stored in {@code tls.crt}. */
    public String certificatePem() {
        return Pem.encodeCertificates(List.of(certificate));
    }

    /** PKCS#8 PEM of the key, as stored in {@code tls.key}. */
    public String privateKeyPem() {
        return Pem.encodePrivateKey(privateKey);
    }
}
