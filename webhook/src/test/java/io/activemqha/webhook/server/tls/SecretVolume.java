package io.activemqha.webhook.server.tls;

import io.activemqha.certs.ServingCertificate;
import io.activemqha.common.CertificateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Secret volume laid out and updated the way the kubelet does it: the data lives in a timestamped directory,
 * {@code ..data} is a symlink to it, {@code tls.crt}/{@code tls.key} are symlinks through {@code ..data}, and
 * an update writes a new directory and renames a fresh symlink over {@code ..data} (one atomic step).
 */
public final class SecretVolume {
    private final Path root;
    private final AtomicInteger generation = new AtomicInteger();

    public SecretVolume(Path root) {
        this.root = root;
    }

    public TlsFiles files() {
        return new TlsFiles(root.resolve(CertificateFiles.TLS_CRT), root.resolve(CertificateFiles.TLS_KEY));
    }

    /** Publishes a new version of the Secret atomically. */
    public void publish(ServingCertificate serving) throws IOException {
        publish(serving.certificatePem(), serving.privateKeyPem());
    }

    public void publish(String certificatePem, String keyPem) throws IOException {
        Path version = Files.createDirectory(root.resolve("..2026_11_26_00_00_00." + generation.incrementAndGet()));
        Files.writeString(version.resolve(CertificateFiles.TLS_CRT), certificatePem, StandardCharsets.US_ASCII);
        Files.writeString(version.resolve(CertificateFiles.TLS_KEY), keyPem, StandardCharsets.US_ASCII);
        Path staged = root.resolve("..data_tmp");
        Files.deleteIfExists(staged);
        Files.createSymbolicLink(staged, version.getFileName());
        Files.move(staged, root.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : new String[] {CertificateFiles.TLS_CRT, CertificateFiles.TLS_KEY}) {
            Path link = root.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", name));
            }
        }
    }
}
