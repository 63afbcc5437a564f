package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Complete material: what {@code create} writes.
 *
 * @param caBundle every CA a client must trust, the current one first (during a rotation also the previous ones)
 * @param signer   the current CA with its key
 * @param leaf     the serving certificate with its key
 */
public record CertificateMaterial(List<X509Certificate> caBundle, CertificateAuthority signer,
                                  ServingCertificate leaf) {
    /** Copies the bundle. */
    public CertificateMaterial {
        caBundle = List.copyOf(caBundle);
    }

    /** The PEM texts to store. */
    public StoredMaterial toStored() {
        return StoredMaterial.of(Pem.encodeCertificates(caBundle), leaf.certificatePem(), leaf.privateKeyPem(),
                signer.privateKeyPem());
    }
}
