package io.activemqha.webhook.server;

import static io.activemqha.webhook.server.WebhookFixture.await;
import static io.activemqha.webhook.server.WebhookFixture.review;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.ServingCertificate;
import io.activemqha.certs.Validity;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.rbac.RbacProvisioner;
import io.activemqha.webhook.server.tls.TestPki;
import io.activemqha.webhook.server.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS behaviour of the webhook over real handshakes on loopback: trust, protocols, ALPN and certificate reload. */
@ExtendWith(VertxExtension.class)
class WebhookTlsTest {

    @Test
    void clientsThatDoNotTrustTheTestCaFailTheHandshake(Vertx vertx, @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            HttpClient jdkDefaultTrust = webhook.client(HttpVersion.HTTP_1_1, new HttpClientOptions());
            HttpClient otherCa = webhook.client(HttpVersion.HTTP_2, new HttpClientOptions().setTrustOptions(
                    new PemTrustOptions().addCertValue(Buffer.buffer(new TestPki("some other CA").caPem()))));

            for (HttpClient client : List.of(jdkDefaultTrust, otherCa)) {
                assertThatThrownBy(() -> await(webhook.get(client, Endpoints.HEALTHZ)))
                        .satisfies(e -> assertThat(causes(e)).anyMatch(SSLHandshakeException.class::isInstance))
                        .rootCause().hasMessageContaining("unable to find valid certification path");
            }
            assertThat(await(webhook.get(webhook.client(HttpVersion.HTTP_2), Endpoints.HEALTHZ)).status())
                    .as("the server keeps serving after failed handshakes").isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
    void speaksTls13ByDefaultAndTls12WhenTheClientOffersOnlyThat(HttpVersion version, Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            WebhookFixture.Reply modern = await(webhook.get(webhook.client(version), Endpoints.READYZ));
            assertThat(modern.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(modern.version()).as("ALPN").isEqualTo(version);

            HttpClient tls12 = webhook.client(version, new HttpClientOptions()
                    .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))
                    .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(webhook.pki.caPem()))));
            WebhookFixture.Reply legacy = await(webhook.post(tls12, review("uid-tls12", "payments").toBuffer()));
            assertThat(legacy.tlsProtocol()).isEqualTo("TLSv1.2");
            assertThat(legacy.version()).isEqualTo(version);
            assertThat(legacy.response().getString("uid")).isEqualTo("uid-tls12");
        }
    }

    @Test
    void kubeletSecretSwapDuringTrafficReachesNewHandshakesAndFailsNoRequest(Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            String oldSerial = webhook.served.certificate().getSerialNumber().toString(16);
            HttpClient longLived = webhook.client(HttpVersion.HTTP_2);
            assertThat(await(webhook.get(longLived, Endpoints.HEALTHZ)).serverSerialHex()).isEqualTo(oldSerial);

            List<WebhookFixture.Reply> replies = new CopyOnWriteArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger sequence = new AtomicInteger();
            List<Future<Void>> loops = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                HttpVersion version = i % 2 == 0 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_2;
                loops.add(trafficLoop(webhook, version, sequence, stop, replies, failures));
            }
            awaitCondition(() -> replies.size() >= 20, "traffic before the swap");

            ServingCertificate next = webhook.rotate();
            String newSerial = next.certificate().getSerialNumber().toString(16);
            awaitCondition(() -> newSerial.equals(webhook.application.currentCredentials().serialHex()),
                    "the reloader applies the new certificate");
            int atReload = replies.size();
            awaitCondition(() -> replies.size() >= atReload + 40, "traffic after the swap");
            stop.set(true);
            await(Future.all(loops));

            assertThat(failures).as("requests that failed during the swap").isEmpty();
            assertThat(replies).allSatisfy(reply -> {
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.response().getString("uid")).startsWith("uid-swap-");
            });
            assertThat(replies).extracting(WebhookFixture.Reply::serverSerialHex).containsOnly(oldSerial, newSerial);
            assertThat(replies.get(0).serverSerialHex()).isEqualTo(oldSerial);
            // Every connection opened after the reload completed must present the new certificate; a handful
            // opened around the switch may still show the old one.
            assertThat(replies.subList(atReload + 8, replies.size()))
                    .extracting(WebhookFixture.Reply::serverSerialHex).containsOnly(newSerial);
            assertThat(replies.subList(atReload + 8, replies.size())).as("ALPN still offers both after the reload")
                    .extracting(WebhookFixture.Reply::version).contains(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1);

            WebhookFixture.Reply stillOpen = await(webhook.post(longLived, review("uid-long", "payments").toBuffer()));
            assertThat(stillOpen.status()).as("a connection opened before the swap keeps working").isEqualTo(200);
            assertThat(stillOpen.serverSerialHex()).isEqualTo(oldSerial);
            WebhookFixture.Reply fresh = await(webhook.get(webhook.client(HttpVersion.HTTP_2), Endpoints.READYZ));
            assertThat(fresh.serverSerialHex()).isEqualTo(newSerial);
            assertThat(fresh.version()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(fresh.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(await(webhook.get(longLived, Endpoints.METRICS)).body())
                    .contains("activemq_ha_webhook_certificate_reloads_total{result=\"applied\"} 1.0")
                    .contains("activemq_ha_webhook_certificate_expiry_timestamp_seconds "
                            + (double) next.certificate().getNotAfter().toInstant().getEpochSecond());
        }
    }

    @ParameterizedTest
    @EnumSource(value = KeyAlgorithm.class, names = {"RSA_2048", "EC_P256"})
    void reloadsToKeysInTraditionalPemForms(KeyAlgorithm algorithm, Vertx vertx, @TempDir Path dir) throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            ServingCertificate next = webhook.pki.issue(algorithm, Validity.startingAt(Instant.now(), Duration.ofHours(1)));
            String traditional = traditionalPem(next);
            assertThat(traditional).startsWith(algorithm.isRsa() ? "-----BEGIN RSA PRIVATE KEY-----"
                    : "-----BEGIN EC PRIVATE KEY-----");
            webhook.volume.publish(next.certificatePem(), traditional);
            String newSerial = next.certificate().getSerialNumber().toString(16);
            awaitCondition(() -> newSerial.equals(webhook.application.currentCredentials().serialHex()),
                    "the " + algorithm + " pair is applied");

            WebhookFixture.Reply reply = await(webhook.post(webhook.client(HttpVersion.HTTP_2),
                    review("uid-" + algorithm, "payments").toBuffer()));
            assertThat(reply.serverSerialHex()).isEqualTo(newSerial);
            assertThat(reply.response().getString("uid")).isEqualTo("uid-" + algorithm);
        }
    }

    @Test
    void halfWrittenFilesKeepTheOldCertificateUntilThePairIsComplete(Vertx vertx, @TempDir Path dir)
            throws Exception {
        try (WebhookFixture webhook = new WebhookFixture(vertx, dir, WebhookFixture.Options.defaults())) {
            String oldSerial = webhook.served.certificate().getSerialNumber().toString(16);
            ServingCertificate next = webhook.pki.issueLoopback();
            // Written in place, one file after the other, as a careless writer (not the kubelet) would.
            Files.writeString(webhook.volume.files().certificate(), next.certificatePem());
            awaitCondition(() -> await(webhook.get(webhook.client(HttpVersion.HTTP_1_1), Endpoints.METRICS)).body()
                    .contains("activemq_ha_webhook_certificate_reloads_total{result=\"rejected\"} 1.0"),
                    "the mismatched pair is seen and rejected");
            WebhookFixture.Reply during = await(webhook.post(webhook.client(HttpVersion.HTTP_2),
                    review("uid-during", "payments").toBuffer()));
            assertThat(during.status()).isEqualTo(200);
            assertThat(during.serverSerialHex()).isEqualTo(oldSerial);

            Files.writeString(webhook.volume.files().privateKey(), next.privateKeyPem());
            String newSerial = next.certificate().getSerialNumber().toString(16);
            awaitCondition(() -> newSerial.equals(webhook.application.currentCredentials().serialHex()),
                    "the completed pair is applied");
            assertThat(await(webhook.get(webhook.client(HttpVersion.HTTP_2), Endpoints.HEALTHZ)).serverSerialHex())
                    .isEqualTo(newSerial);
        }
    }

    @Test
    void readinessFailsBeforeStartAndOnceTheCertificateHasExpired(Vertx vertx, @TempDir Path dir) throws Exception {
        TestPki pki = new TestPki("readiness CA");
        ServingCertificate leaf = pki.issue(KeyAlgorithm.EC_P256,
                Validity.startingAt(Instant.now(), Duration.ofHours(1)));
        TlsCredentials credentials = TlsCredentials.parse(leaf.certificatePem(), leaf.privateKeyPem());
        WebhookMetrics metrics = new WebhookMetrics();
        MutationHandler mutation = new MutationHandler(new AdmissionReviewer(InjectorConfig.defaults()),
                RbacProvisioner.disabled(), Duration.ofSeconds(1), metrics, new AdmissionLog(AdmissionLog.DEFAULT_ALLOWED_PER_SECOND, System::nanoTime, AdmissionLog.Sink.SLF4J), System::nanoTime);
        // The server's clock is two hours ahead: the certificate it serves has expired by its reckoning.
        WebhookServer server = new WebhookServer(vertx, new ServerSettings("127.0.0.1", 0, 65536, 1), mutation, metrics,
                Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));
        assertThat(server.notReadyReason()).isEqualTo("no TLS certificate is being served yet");
        int port = await(server.start(credentials));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2).setDefaultHost("localhost").setDefaultPort(port)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(pki.caPem()))));
        try {
            WebhookFixture.Reply ready = await(client.request(HttpMethod.GET, Endpoints.READYZ)
                    .compose(req -> req.send().compose(resp -> resp.body().map(body -> new WebhookFixture.Reply(
                            resp.statusCode(), body.toString(), resp.getHeader("content-type"), resp.version(),
                            WebhookFixture.serial(req.connection()), null)))));
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("not ready: the served TLS certificate (serial " + credentials.serialHex()
                    + ") expired at " + credentials.notAfter() + "\n");
        } finally {
            client.close();
            await(server.stop(Duration.ZERO));
        }
    }

    /**
     * PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}, with the public key as openssl writes it),
     * the forms openssl and older tools produce.
     */
    private static String traditionalPem(ServingCertificate serving) throws IOException {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            if (serving.privateKey() instanceof ECPrivateKey ec) {
                SubjectPublicKeyInfo publicInfo = SubjectPublicKeyInfo
                        .getInstance(serving.certificate().getPublicKey().getEncoded());
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(),
                        publicInfo.getPublicKeyData(), publicInfo.getAlgorithm().getParameters());
                writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                PrivateKeyInfo info =
                        PrivateKeyInfo.getInstance(serving.privateKey().getEncoded());
                writer.writeObject(new PemObject("RSA PRIVATE KEY",
                        info.parsePrivateKey().toASN1Primitive().getEncoded()));
            }
        }
        return out.toString();
    }

    /** Sends reviews one after the other, each on a newly handshaken connection, until {@code stop}. */
    private static Future<Void> trafficLoop(WebhookFixture webhook, HttpVersion version, AtomicInteger sequence,
                                            AtomicBoolean stop, List<WebhookFixture.Reply> replies,
                                            List<Throwable> failures) {
        Promise<Void> done = Promise.promise();
        sendNext(webhook, version, sequence, stop, replies, failures, done);
        return done.future();
    }

    private static void sendNext(WebhookFixture webhook, HttpVersion version, AtomicInteger sequence, AtomicBoolean stop,
                                 List<WebhookFixture.Reply> replies, List<Throwable> failures, Promise<Void> done) {
        if (stop.get() || !failures.isEmpty()) {
            done.complete();
            return;
        }
        HttpClient client = webhook.vertx.createHttpClient(webhookClientOptions(webhook, version));
        webhook.post(client, review("uid-swap-" + sequence.incrementAndGet(), "payments").toBuffer())
                .onSuccess(replies::add)
                .onFailure(failures::add)
                .eventually(client::close)
                .onComplete(ignored -> sendNext(webhook, version, sequence, stop, replies, failures, done));
    }

    private static HttpClientOptions webhookClientOptions(WebhookFixture webhook, HttpVersion version) {
        return new HttpClientOptions().setSsl(true).setUseAlpn(true).setVerifyHost(true).setProtocolVersion(version)
                .setDefaultHost("localhost").setDefaultPort(webhook.port)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(webhook.pki.caPem())));
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitCondition(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
