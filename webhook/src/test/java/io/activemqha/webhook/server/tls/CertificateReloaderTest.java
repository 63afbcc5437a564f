package io.activemqha.webhook.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.certs.ServingCertificate;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateReloaderTest {
    private final TestPki pki = new TestPki("reloader test CA");
    private final List<TlsCredentials> applied = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private final CertificateReloader.Listener listener = new CertificateReloader.Listener() {
        @Override
        public void applied(TlsCredentials credentials) {
            applied.add(credentials);
        }

        @Override
        public void rejected(String reason) {
            rejected.add(reason);
        }
    };
    private Vertx vertx;

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void closeVertx() throws Exception {
        await(vertx.close());
    }

    @Test
    void symlinkSwapIsAppliedAndUnchangedFilesAreNot(@TempDir Path dir) throws Exception {
        SecretVolume volume = new SecretVolume(dir);
        ServingCertificate first = pki.issueLoopback();
        volume.publish(first);
        TlsCredentials initial = volume.files().read();
        List<TlsCredentials> installed = new CopyOnWriteArrayList<>();
        CertificateReloader reloader = new CertificateReloader(vertx, volume.files(), Duration.ofHours(1), initial,
                next -> {
                    installed.add(next);
                    return Future.succeededFuture();
                }, listener);

        assertThat(await(reloader.poll())).isFalse();

        ServingCertificate second = pki.issueLoopback();
        volume.publish(second);
        assertThat(await(reloader.poll())).isTrue();
        assertThat(installed).singleElement().satisfies(c ->
                assertThat(c.leaf().getSerialNumber()).isEqualTo(second.certificate().getSerialNumber()));
        assertThat(reloader.current().leaf()).isEqualTo(second.certificate());
        assertThat(applied).hasSize(1);
        assertThat(await(reloader.poll())).isFalse();
        assertThat(installed).hasSize(1);
        assertThat(rejected).isEmpty();
    }

    @Test
    void halfWrittenPairKeepsTheOldCertificateUntilTheKeyArrives(@TempDir Path dir) throws Exception {
        ServingCertificate first = pki.issueLoopback();
        TlsFiles files = new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        Files.writeString(files.certificate(), first.certificatePem());
        Files.writeString(files.privateKey(), first.privateKeyPem());
        CertificateReloader reloader = new CertificateReloader(vertx, files, Duration.ofHours(1), files.read(),
                next -> Future.succeededFuture(), listener);

        ServingCertificate second = pki.issueLoopback();
        Files.writeString(files.certificate(), second.certificatePem());
        assertThat(await(reloader.poll())).isFalse();
        assertThat(await(reloader.poll())).isFalse();
        assertThat(reloader.current().leaf()).isEqualTo(first.certificate());
        assertThat(rejected).as("one report per distinct content, not per poll").singleElement()
                .asString().contains("does not belong to the certificate");

        Files.writeString(files.privateKey(), second.privateKeyPem());
        assertThat(await(reloader.poll())).isTrue();
        assertThat(reloader.current().leaf()).isEqualTo(second.certificate());
    }

    @Test
    void truncatedOrGarbageFilesAreRejectedWithTheReason(@TempDir Path dir) throws Exception {
        ServingCertificate first = pki.issueLoopback();
        TlsFiles files = new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        Files.writeString(files.certificate(), first.certificatePem());
        Files.writeString(files.privateKey(), first.privateKeyPem());
        CertificateReloader reloader = new CertificateReloader(vertx, files, Duration.ofHours(1), files.read(),
                next -> Future.succeededFuture(), listener);

        String pem = pki.issueLoopback().certificatePem();
        Files.writeString(files.certificate(), pem.substring(0, pem.length() / 2), StandardCharsets.US_ASCII);
        assertThat(await(reloader.poll())).isFalse();
        Files.delete(files.privateKey());
        assertThat(await(reloader.poll())).isFalse();
        assertThat(rejected).hasSize(2);
        assertThat(rejected.get(0)).contains("certificate:");
        assertThat(rejected.get(1)).contains("cannot read the TLS private key file " + files.privateKey());
        assertThat(reloader.current().leaf()).isEqualTo(first.certificate());
    }

    @Test
    void failedInstallIsRetriedOnTheNextPoll(@TempDir Path dir) throws Exception {
        SecretVolume volume = new SecretVolume(dir);
        volume.publish(pki.issueLoopback());
        AtomicBoolean failNext = new AtomicBoolean(true);
        CertificateReloader reloader = new CertificateReloader(vertx, volume.files(), Duration.ofHours(1),
                volume.files().read(),
                next -> failNext.getAndSet(false)
                        ? Future.failedFuture(new IllegalStateException("engine refused"))
                        : Future.succeededFuture(), listener);
        ServingCertificate second = pki.issueLoopback();
        volume.publish(second);

        assertThat(await(reloader.poll())).isFalse();
        assertThat(rejected).singleElement().asString().contains("engine refused");
        assertThat(await(reloader.poll())).isTrue();
        assertThat(reloader.current().leaf()).isEqualTo(second.certificate());
    }

    @Test
    void periodicPollingPicksUpASwapWithoutBeingAsked(@TempDir Path dir) throws Exception {
        SecretVolume volume = new SecretVolume(dir);
        volume.publish(pki.issueLoopback());
        LinkedBlockingQueue<TlsCredentials> installed = new LinkedBlockingQueue<>();
        try (CertificateReloader reloader = new CertificateReloader(vertx, volume.files(), Duration.ofMillis(50),
                volume.files().read(), next -> {
                    installed.add(next);
                    return Future.succeededFuture();
                }, listener).start()) {
            ServingCertificate second = pki.issueLoopback();
            volume.publish(second);
            TlsCredentials seen = installed.poll(10, TimeUnit.SECONDS);
            assertThat(seen).isNotNull();
            assertThat(seen.leaf()).isEqualTo(second.certificate());
        }
    }

    @Test
    void mismatchedPairIsRefusedAtStartupWithBothFileNames(@TempDir Path dir) throws Exception {
        TlsFiles files = new TlsFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"));
        Files.writeString(files.certificate(), pki.issueLoopback().certificatePem());
        Files.writeString(files.privateKey(), pki.issueLoopback().privateKeyPem());
        assertThatThrownBy(files::read)
                .hasMessageContaining(files.certificate().toString())
                .hasMessageContaining(files.privateKey().toString())
                .hasMessageContaining("does not belong to the certificate");
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
}
