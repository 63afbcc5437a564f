package io.activemqha.webhook.server.tls;

import io.activemqha.certs.CertificateAuthority;
import io.activemqha.common.CertificateFiles;
import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.ServingCertificate;
import io.activemqha.certs.Validity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A throwaway CA and a serving certificate for {@code localhost}, written as {@code tls.crt}/{@code tls.key}/
 * {@code ca.crt} into a directory, so that development mode goes through the same file-based code path as a
 * mounted Secret (including reload).
 *
 * @param files the serving pair
 * @param caCertificate the CA a client must trust ({@code curl --cacert})
 * @param serialHex serial of the serving certificate
 */
public record DevCertificate(TlsFiles files, Path caCertificate, String serialHex) {
    /** Host names the development certificate covers. */
    public static final List<String> HOSTS = List.of("localhost", "127.0.0.1", "::1");
    /** Long enough for a working day, short enough that nobody mistakes it for a real one. */
    public static final Duration LIFETIME = Duration.ofDays(7);

    /** Generates a CA and a leaf into {@code directory} (which must exist); the key file is owner-only. */
    public static DevCertificate generate(Path directory) {
        Validity validity = Validity.startingAt(Instant.now(), LIFETIME);
        CertificateAuthority ca = CertificateAuthority.create("activemq-ha-webhook development CA (throwaway)",
                validity, KeyAlgorithm.EC_P256);
        ServingCertificate serving = ca.issueServing(HOSTS, validity, KeyAlgorithm.EC_P256);
        Path cert = directory.resolve(CertificateFiles.TLS_CRT);
        Path key = directory.resolve(CertificateFiles.TLS_KEY);
        Path caFile = directory.resolve(CertificateFiles.CA_CRT);
        try {
            Files.writeString(caFile, ca.certificatePem(), StandardCharsets.US_ASCII);
            Files.writeString(cert, serving.certificatePem(), StandardCharsets.US_ASCII);
            Files.writeString(key, "", StandardCharsets.US_ASCII);
            restrictToOwner(key);
            Files.writeString(key, serving.privateKeyPem(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the development certificate into " + directory, e);
        }
        return new DevCertificate(new TlsFiles(cert, key), caFile, serving.certificate().getSerialNumber().toString(16));
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            file.toFile().setReadable(false, false);
            file.toFile().setReadable(true, true);
        }
    }
}
