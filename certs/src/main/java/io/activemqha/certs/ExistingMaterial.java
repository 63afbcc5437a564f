package io.activemqha.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Parsed material found in a store; any part may be missing.
 *
 * @param caBundle the CA certificates of {@code ca.crt} (empty when absent)
 * @param caKey    the current CA's key ({@code ca.key})
 * @param leaf     the serving certificate ({@code tls.crt})
 * @param leafKey  its key ({@code tls.key})
 */
public record ExistingMaterial(List<X509Certificate> caBundle, Optional<PrivateKey> caKey,
                               Optional<X509Certificate> leaf, Optional<PrivateKey> leafKey) {
    /** Copies the bundle. */
    public ExistingMaterial {
        caBundle = List.copyOf(caBundle);
    }

    /** No material at all. */
    public static ExistingMaterial none() {
        return new ExistingMaterial(List.of(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Complete material as existing material, e.g. to plan against what was just issued. */
    public static ExistingMaterial of(CertificateMaterial material) {
        return new ExistingMaterial(material.caBundle(), Optional.of(material.signer().privateKey()),
                Optional.of(material.leaf().certificate()), Optional.of(material.leaf().privateKey()));
    }

    /** True when no part is present. */
    public boolean isEmpty() {
        return caBundle.isEmpty() && caKey.isEmpty() && leaf.isEmpty() && leafKey.isEmpty();
    }

    /** The CA that can sign: the bundle certificate whose public key matches {@code ca.key}. */
    public Optional<CertificateAuthority> signer() {
        return caKey.flatMap(key -> caBundle.stream()
                .filter(ca -> Certificates.keysMatch(key, ca.getPublicKey()))
                .findFirst()
                .map(ca -> new CertificateAuthority(ca, key)));
    }

    /** The serving certificate with its key, when both are present and belong together. */
    public Optional<ServingCertificate> serving() {
        return leaf.flatMap(certificate -> leafKey
                .filter(key -> Certificates.keysMatch(key, certificate.getPublicKey()))
                .map(key -> new ServingCertificate(certificate, key)));
    }
}
