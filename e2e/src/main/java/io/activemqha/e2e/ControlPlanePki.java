package io.activemqha.e2e;

import io.activemqha.certs.CertificateAuthority;
import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.Pem;
import io.activemqha.certs.Validity;
import io.activemqha.e2e.failover.PodNetwork;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * The keys and certificates of one test control plane, all under a single CA that also authenticates clients.
 *
 * @param authority               the CA (client CA of the API server, trust anchor of every kubeconfig)
 * @param caCertificate           its certificate file
 * @param apiServerServing        the API server's serving certificate for every address and name it is dialled by
 * @param admin                   client certificate of the test's admin user (group system:masters)
 * @param controllerManager       client certificate of user system:kube-controller-manager
 * @param serviceAccountKey       private key that signs service-account tokens (PKCS#8)
 * @param serviceAccountPublicKey its public key, with which the API server verifies them
 */
public record ControlPlanePki(CertificateAuthority authority, Path caCertificate, PemKeyPairFiles apiServerServing,
                              PemKeyPairFiles admin, PemKeyPairFiles controllerManager, Path serviceAccountKey,
                              Path serviceAccountPublicKey) {
    /** User name of the admin client certificate. */
    public static final String ADMIN_USER = "activemq-ha-e2e-admin";
    private static final Duration LIFETIME = Duration.ofDays(1);

    /** Generates everything into {@code directory}. */
    public static ControlPlanePki generate(Path directory) {
        Validity validity = Validity.startingAt(Instant.now(), LIFETIME);
        CertificateAuthority authority = CertificateAuthority.create("activemq-ha-e2e-ca", validity, KeyAlgorithm.EC_P256);
        ClientCertificates clients = new ClientCertificates(authority);
        // The pod network's gateway too: the failover scenarios' pods reach the API server through a relay there. Pods
        // on a real node dial the kubernetes Service by ClusterIP or name, which kube-proxy sends to HOST_ADDRESS.
        var serving = authority.issueServing(List.of("127.0.0.1", PodNetwork.GATEWAY, ControlPlane.HOST_ADDRESS,
                ControlPlane.KUBERNETES_SERVICE_IP, "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local"), validity, KeyAlgorithm.EC_P256);
        KeyPair serviceAccount = KeyAlgorithm.RSA_2048.generateKeyPair(new SecureRandom());
        return new ControlPlanePki(authority,
                write(directory.resolve("ca.crt"), authority.certificatePem()),
                write(directory, "apiserver", serving.certificatePem(), serving.privateKeyPem()),
                write(directory, "admin", clients.issue(ADMIN_USER, "system:masters", validity)),
                write(directory, "controller-manager", clients.issue("system:kube-controller-manager", null, validity)),
                write(directory.resolve("service-account.key"), Pem.encodePrivateKey(serviceAccount.getPrivate())),
                write(directory.resolve("service-account.pub"), publicKeyPem(serviceAccount)));
    }

    private static PemKeyPairFiles write(Path directory, String name, IssuedKeyPair issued) {
        return write(directory, name, issued.certificatePem(), issued.privateKeyPem());
    }

    private static PemKeyPairFiles write(Path directory, String name, String certificatePem, String keyPem) {
        return new PemKeyPairFiles(write(directory.resolve(name + ".crt"), certificatePem),
                write(directory.resolve(name + ".key"), keyPem));
    }

    private static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String publicKeyPem(KeyPair keys) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keys.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
