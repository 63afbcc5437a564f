package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real TLS handshakes on loopback: a JDK TLS server serves the issued leaf, a client trusting only {@code ca.crt}
 * connects as if to {@code NAME.NS.svc} (the TLS layer is given that host name over a socket to 127.0.0.1, so SNI
 * and HTTPS host name verification use it) and must accept exactly what the API server would.
 */
class TlsHandshakeTest {
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<SSLServerSocket> servers = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (SSLServerSocket server : servers) {
            server.close();
        }
        executor.shutdownNow();
    }

    @Test
    void clientTrustingOnlyCaCrtAcceptsTheServiceNames() throws Exception {
        CertificateMaterial material = Pki.fresh(Instant.now());
        int port = serve(material.leaf());

        for (String host : Pki.REQUEST.hosts()) {
            assertThat(handshake(port, host, material.caBundle()).getSubjectX500Principal())
                    .isEqualTo(material.leaf().certificate().getSubjectX500Principal());
        }
    }

    @Test
    void wrongHostNameFails() throws Exception {
        CertificateMaterial material = Pki.fresh(Instant.now());
        int port = serve(material.leaf());

        assertThatThrownBy(() -> handshake(port, "other-webhook.activemq-ha.svc", material.caBundle()))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("No subject alternative DNS name matching other-webhook.activemq-ha.svc");
    }

    @Test
    void caNotInTheBundleFails() throws Exception {
        CertificateMaterial material = Pki.fresh(Instant.now());
        CertificateMaterial unrelated = Pki.fresh(Instant.now());
        int port = serve(material.leaf());

        assertThatThrownBy(() -> handshake(port, Pki.SERVICE_DNS, unrelated.caBundle()))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PKIX path");
    }

    @Test
    void expiredLeafFails() throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Validity.startingAt(now, Pki.days(3650)),
                KeyAlgorithm.EC_P256);
        ServingCertificate expired = ca.issueServing(Pki.REQUEST.hosts(),
                new Validity(now.minus(Pki.days(30)), now.minus(Pki.days(1))), KeyAlgorithm.EC_P256);
        int port = serve(expired);

        assertThatThrownBy(() -> handshake(port, Pki.SERVICE_DNS, List.of(ca.certificate())))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("validity check failed");
        // The same check in the tool agrees.
        assertThat(Certificates.chainFailure(expired.certificate(), List.of(ca.certificate()), now)).isPresent();
    }

    @Test
    void rsaLeafHandshakes() throws Exception {
        CertificateRequest rsa = CertificateRequest.forService(Pki.SERVICE, Pki.NAMESPACE, List.of(), KeyAlgorithm.RSA_2048);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), rsa, RenewalPolicy.defaults(), Instant.now());
        int port = serve(material.leaf());

        assertThat(handshake(port, Pki.SERVICE_DNS, material.caBundle())).isEqualTo(material.leaf().certificate());
    }

    /**
     * A CA rotation through the planner, timed so that every certificate is valid now: the CA was created nine
     * years ago (so now is in its rotation window), rotated two hours ago, the leaf moved a minute ago. A client
     * holding the combined bundle trusts the old leaf (still served by pods that have not reloaded) and the new one.
     */
    @Test
    void afterCaRotationTheCombinedBundleTrustsOldAndNewLeaf() throws Exception {
        Instant now = Instant.now();
        RenewalPolicy policy = RenewalPolicy.defaults();
        CertificateMaterial original = Pki.fresh(now.minus(Pki.days(9 * 365)));
        // The leaf as last renewed a month ago, still under the original CA.
        ServingCertificate renewed = original.signer().issueServing(Pki.REQUEST.hosts(),
                Validity.startingAt(now.minus(Pki.days(30)), policy.leafValidity()), KeyAlgorithm.EC_P256);
        CertificateMaterial oldLeaf = new CertificateMaterial(original.caBundle(), original.signer(), renewed);

        Instant rotation = now.minus(Duration.ofHours(2));
        Plan rotate = RenewalPlanner.plan(ExistingMaterial.of(oldLeaf), Pki.REQUEST, policy, rotation);
        assertThat(rotate.ca()).isEqualTo(Plan.CaAction.ROTATE);
        CertificateMaterial rotated = MaterialIssuer.apply(rotate, ExistingMaterial.of(oldLeaf), Pki.REQUEST, policy, rotation);
        CertificateMaterial moved = Pki.run(ExistingMaterial.of(rotated), Pki.REQUEST, policy, now.minus(Duration.ofMinutes(1)));
        assertThat(moved.signer()).isNotEqualTo(original.signer());
        assertThat(moved.leaf()).isNotEqualTo(oldLeaf.leaf());
        List<X509Certificate> bundle = Pem.decodeCertificates(moved.toStored().text("ca.crt").orElseThrow());
        assertThat(bundle).hasSize(2);

        int oldPort = serve(oldLeaf.leaf());
        int newPort = serve(moved.leaf());

        assertThat(handshake(oldPort, Pki.SERVICE_DNS, bundle)).isEqualTo(oldLeaf.leaf().certificate());
        assertThat(handshake(newPort, Pki.SERVICE_DNS, bundle)).isEqualTo(moved.leaf().certificate());
        // Without the rotation's bundle, a client that only knew the old CA would reject the new leaf.
        assertThatThrownBy(() -> handshake(newPort, Pki.SERVICE_DNS, original.caBundle()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    /** Starts a TLS server on 127.0.0.1 (ephemeral port) serving {@code leaf}; it accepts until the test ends. */
    private int serve(ServingCertificate leaf) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("tls", leaf.privateKey(), new char[0], new Certificate[] {leaf.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        servers.add(server);
        executor.submit(() -> {
            while (!server.isClosed()) {
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                    socket.getOutputStream().write('!');
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    // a failed handshake is the client's verdict to report; keep accepting
                }
            }
            return null;
        });
        return server.getLocalPort();
    }

    /** Connects to loopback as {@code host}, trusting only {@code trusted}; returns the verified server certificate. */
    private static X509Certificate handshake(int port, String host, List<X509Certificate> trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            trust.setCertificateEntry("ca" + i, trusted.get(i));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers.getTrustManagers(), null);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            plain.setSoTimeout(10_000);
            // Layering TLS over the loopback socket with the service's host name: SNI and verification use it.
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, false)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                assertThat(socket.getInputStream().read()).isEqualTo('!');
                return Optional.of(socket.getSession().getPeerCertificates()[0]).map(X509Certificate.class::cast).get();
            }
        }
    }
}
