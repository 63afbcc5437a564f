package io.activemqha.e2e;

import io.activemqha.certs.Pem;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate and its private key.
 *
 * @param certificate the certificate
 * @param privateKey  its key
 */
public record IssuedKeyPair(X509Certificate certificate, PrivateKey privateKey) {
    public String certificatePem() {
        return Pem.encodeCertificates(List.of(certificate));
    }

    public String privateKeyPem() {
        return Pem.encodePrivateKey(privateKey);
    }
}
