package io.activemqha.certs;

import io.activemqha.common.CertificateFiles;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** Parses stored PEM texts into {@link ExistingMaterial}, naming the store and entry of anything unparseable. */
public final class MaterialCodec {
    private MaterialCodec() {
    }

    /**
     * Parses every present entry of {@code stored}.
     *
     * @param where the store, for messages ("directory /x", "secret ns/name")
     * @throws CertsException when an entry is not what its name says, or {@code ca.crt} holds a non-CA certificate
     */
    public static ExistingMaterial decode(StoredMaterial stored, String where) {
        List<X509Certificate> bundle = stored.text(CertificateFiles.CA_CRT)
                .map(text -> certificates(text, where, CertificateFiles.CA_CRT))
                .orElse(List.of());
        for (X509Certificate ca : bundle) {
            if (!Certificates.isCa(ca)) {
                throw new CertsException(where + ": " + CertificateFiles.CA_CRT + " holds "
                        + Certificates.subject(ca) + ", which is not a CA certificate");
            }
        }
        Optional<X509Certificate> leaf = stored.text(CertificateFiles.TLS_CRT)
                .map(text -> certificates(text, where, CertificateFiles.TLS_CRT).get(0));
        return new ExistingMaterial(bundle,
                stored.text(CertificateFiles.CA_KEY).map(text -> key(text, where, CertificateFiles.CA_KEY)),
                leaf,
                stored.text(CertificateFiles.TLS_KEY).map(text -> key(text, where, CertificateFiles.TLS_KEY)));
    }

    private static List<X509Certificate> certificates(String text, String where, String name) {
        try {
            return Pem.decodeCertificates(text);
        } catch (IllegalArgumentException e) {
            throw new CertsException(where + ": " + name + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey key(String text, String where, String name) {
        try {
            return Pem.decodePrivateKey(text);
        } catch (IllegalArgumentException e) {
            throw new CertsException(where + ": " + name + ": " + e.getMessage(), e);
        }
    }
}
