package io.activemqha.certs;

import io.activemqha.common.CertificateFiles;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The PEM texts as a store holds them, keyed by {@link CertificateFiles} names: {@code ca.crt} (the CA bundle),
 * {@code tls.crt}, {@code tls.key} and {@code ca.key}. A missing entry is absent from the map.
 *
 * @param texts PEM text by file name
 */
public record StoredMaterial(Map<String, String> texts) {
    /** Copies {@code texts}, dropping nothing. */
    public StoredMaterial {
        texts = Map.copyOf(texts);
    }

    /** Nothing stored yet. */
    public static StoredMaterial empty() {
        return new StoredMaterial(Map.of());
    }

    /** The four texts of complete material. */
    public static StoredMaterial of(String caCrt, String tlsCrt, String tlsKey, String caKey) {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put(CertificateFiles.CA_CRT, caCrt);
        texts.put(CertificateFiles.TLS_CRT, tlsCrt);
        texts.put(CertificateFiles.TLS_KEY, tlsKey);
        texts.put(CertificateFiles.CA_KEY, caKey);
        return new StoredMaterial(texts);
    }

    /**
     * The text stored under {@code name}, if any. A blank entry counts as missing: a placeholder Secret created
     * empty so that a Deployment can mount it before the first {@code create} holds no material.
     */
    public Optional<String> text(String name) {
        return Optional.ofNullable(texts.get(name)).filter(text -> !text.isBlank());
    }

    /** True when nothing at all is stored. */
    public boolean isEmpty() {
        return texts.values().stream().allMatch(String::isBlank);
    }
}
