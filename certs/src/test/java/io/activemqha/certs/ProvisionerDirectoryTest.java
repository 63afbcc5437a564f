package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.certs.store.DirectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code create} against a directory: idempotency, renewal, atomic writes, refusal of damaged material. */
class ProvisionerDirectoryTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final List<String> FILES = List.of("ca.crt", "tls.crt", "tls.key", "ca.key");

    @TempDir
    Path dir;

    private Provisioner.Outcome create(Instant now) {
        return new Provisioner(new DirectoryStore(dir), Optional.empty()).run(Pki.REQUEST, RenewalPolicy.defaults(), now);
    }

    @Test
    void createsAllFilesWithPrivateKeysReadableByTheOwnerOnly() throws Exception {
        Provisioner.Outcome outcome = create(T0);

        assertThat(outcome.written()).containsExactly(
                dir.resolve("ca.key").toString(), dir.resolve("ca.crt").toString(),
                dir.resolve("tls.key").toString(), dir.resolve("tls.crt").toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.crt")))).isEqualTo("rw-r--r--");
        // No temporary files are left behind.
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString())).containsExactlyInAnyOrderElementsOf(FILES);
        }
        ExistingMaterial stored = MaterialCodec.decode(new DirectoryStore(dir).load().material(), "test");
        assertThat(stored.leaf()).contains(outcome.material().leaf().certificate());
        assertThat(stored.signer()).contains(outcome.material().signer());
    }

    @Test
    void rerunWritesNothing() throws Exception {
        create(T0);
        Map<String, FileTime> before = modificationTimes();
        Map<String, String> contents = contents();

        Provisioner.Outcome again = create(T0.plus(Pki.days(30)));

        assertThat(again.plan().keepsEverything()).isTrue();
        assertThat(again.written()).isEmpty();
        assertThat(modificationTimes()).isEqualTo(before);
        assertThat(contents()).isEqualTo(contents);
    }

    @Test
    void renewalReplacesTheLeafUnderTheSameCa() throws Exception {
        Provisioner.Outcome first = create(T0);
        String caCrt = Files.readString(dir.resolve("ca.crt"));
        String caKey = Files.readString(dir.resolve("ca.key"));

        Provisioner.Outcome renewed = create(T0.plus(Pki.days(300)));

        assertThat(renewed.written()).containsExactly(dir.resolve("tls.key").toString(), dir.resolve("tls.crt").toString());
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(caCrt);
        assertThat(Files.readString(dir.resolve("ca.key"))).isEqualTo(caKey);
        X509Leaf leaf = X509Leaf.read(dir);
        assertThat(leaf.certificate()).isNotEqualTo(first.material().leaf().certificate());
        assertThat(first.material().signer().signed(leaf.certificate())).isTrue();
    }

    @Test
    void damagedFileStopsTheRunWithoutWriting() throws Exception {
        create(T0);
        Files.writeString(dir.resolve("tls.crt"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        Map<String, String> contents = contents();

        assertThatThrownBy(() -> create(T0.plus(Pki.days(300))))
                .isInstanceOf(CertsException.class)
                .hasMessageStartingWith("directory " + dir + ": tls.crt: ");
        assertThat(contents()).isEqualTo(contents);
    }

    @Test
    void unreadableFileIsReportedByPath() throws Exception {
        Files.createDirectories(dir.resolve("tls.crt")); // a directory where a file is expected

        assertThatThrownBy(() -> create(T0))
                .isInstanceOf(CertsException.class)
                .hasMessageStartingWith("cannot read " + dir.resolve("tls.crt") + ": ");
        assertThat(dir.resolve("ca.crt")).doesNotExist();
    }

    @Test
    void placeholderEmptyFilesAreFilled() throws Exception {
        for (String file : FILES) {
            Files.writeString(dir.resolve(file), "");
        }

        Provisioner.Outcome outcome = create(T0);

        assertThat(outcome.plan().ca()).isEqualTo(Plan.CaAction.CREATE);
        assertThat(outcome.written()).hasSize(4);
    }

    @Test
    void bundleFileHoldingALeafIsRejected() throws Exception {
        CertificateMaterial material = Pki.fresh(T0);
        Files.writeString(dir.resolve("ca.crt"), material.leaf().certificatePem());

        assertThatThrownBy(() -> create(T0))
                .isInstanceOf(CertsException.class)
                .hasMessageContaining("ca.crt holds CN=activemq-ha-webhook, which is not a CA certificate");
    }

    private Map<String, FileTime> modificationTimes() throws Exception {
        return FILES.stream().collect(Collectors.toMap(Function.identity(), file -> {
            try {
                return Files.getLastModifiedTime(dir.resolve(file));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
    }

    private Map<String, String> contents() {
        return new DirectoryStore(dir).load().material().texts();
    }

    /** The leaf as stored. */
    private record X509Leaf(java.security.cert.X509Certificate certificate) {
        static X509Leaf read(Path dir) throws Exception {
            return new X509Leaf(Pem.decodeCertificates(Files.readString(dir.resolve("tls.crt"))).get(0));
        }
    }
}
