package io.activemqha.webhook.server.tls;

import io.activemqha.certs.Certificates;
import io.activemqha.certs.Pem;
import io.vertx.core.net.KeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * A validated serving certificate chain and the private key that belongs to its leaf.
 *
 * @param chain       the leaf certificate first, then any intermediates
 * @param privateKey  the leaf's private key
 * @param fingerprint SHA-256 of the PEM texts the pair was parsed from: equal fingerprints mean unchanged files
 */
public record TlsCredentials(List<X509Certificate> chain, PrivateKey privateKey, String fingerprint) {
    // The store never leaves memory, but PKCS#12 wants a password to wrap the key with.
    private static final char[] KEY_STORE_PASSWORD = "in-memory".toCharArray();

    public TlsCredentials {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("the certificate chain is empty");
        }
    }

    /**
     * Parses a PEM chain and key and proves that the key belongs to the leaf by signing a random challenge.
     * A mismatch is what a reader sees halfway through a non-atomic swap of the two files.
     *
     * @throws IllegalArgumentException with the reason when either text is not PEM or the two do not belong together
     */
    public static TlsCredentials parse(String certificatePem, String privateKeyPem) {
        List<X509Certificate> chain;
        try {
            chain = Pem.decodeCertificates(certificatePem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("certificate: " + e.getMessage(), e);
        }
        PrivateKey key;
        try {
            key = Pem.decodePrivateKey(privateKeyPem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("private key: " + e.getMessage(), e);
        }
        requireMatchingKey(chain.get(0), key);
        return new TlsCredentials(chain, key, fingerprint(certificatePem, privateKeyPem));
    }

    /** SHA-256 over both PEM texts, hex. */
    public static String fingerprint(String certificatePem, String privateKeyPem) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(certificatePem.getBytes(StandardCharsets.ISO_8859_1));
            digest.update((byte) 0);
            digest.update(privateKeyPem.getBytes(StandardCharsets.ISO_8859_1));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** The serving (leaf) certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The leaf's serial number in hex, as logged and as a client sees it. */
    public String serialHex() {
        return leaf().getSerialNumber().toString(16);
    }

    /** When the leaf expires. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /**
     * Vert.x key material: the already parsed and checked key and chain in an in-memory key store, so that what is
     * served is exactly what {@link #parse} validated, without encoding it to PEM for Vert.x to parse again.
     */
    public KeyCertOptions toKeyCertOptions() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("serving", privateKey, KEY_STORE_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, KEY_STORE_PASSWORD);
            return KeyCertOptions.wrap(factory);
        } catch (GeneralSecurityException | IOException e) {
            // Only a JVM without PKCS12 or its default key manager gets here: every Java 17 has both.
            throw new IllegalStateException("cannot build the in-memory key store for the serving certificate", e);
        }
    }

    @Override
    public String toString() {
        return "TlsCredentials[subject=" + leaf().getSubjectX500Principal().getName() + ", serial=" + serialHex()
                + ", notAfter=" + notAfter() + "]";
    }

    private static void requireMatchingKey(X509Certificate leaf, PrivateKey key) {
        if (!Certificates.keysMatch(key, leaf.getPublicKey())) {
            throw new IllegalArgumentException("the private key does not belong to the certificate (serial "
                    + leaf.getSerialNumber().toString(16) + ", " + key.getAlgorithm() + " key)");
        }
    }
}
