package io.activemqha.webhook.server.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The PEM certificate chain and private key files a server reads, as mounted from a {@code kubernetes.io/tls}
 * Secret ({@code tls.crt}, {@code tls.key}); paths are followed through the kubelet's {@code ..data} symlink.
 *
 * @param certificate PEM file holding the leaf certificate first, then any intermediates
 * @param privateKey  PEM file holding the leaf's unencrypted private key (PKCS#8, PKCS#1 or SEC1)
 */
public record TlsFiles(Path certificate, Path privateKey) {
    public TlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /**
     * Reads and validates both files (blocking I/O).
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or parsed, or when the pair does not match
     */
    public TlsCredentials read() {
        String certificatePem = readText(certificate, "certificate");
        String keyPem = readText(privateKey, "private key");
        try {
            return TlsCredentials.parse(certificatePem, keyPem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(certificate + " / " + privateKey + ": " + e.getMessage(), e);
        }
    }

    private static String readText(Path path, String what) {
        try {
            return Files.readString(path, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the TLS " + what + " file " + path + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }
}
