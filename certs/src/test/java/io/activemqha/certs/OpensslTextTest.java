package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The extensions as an independent parser sees them: {@code openssl x509 -text -noout}, run as a process
 * (openssl must be installed: .ci/setup installs it).
 */
class OpensslTextTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void opensslReadsTheExpectedExtensions(KeyAlgorithm algorithm) throws Exception {
        Instant now = Instant.now();
        CertificateRequest request = CertificateRequest.forService(Pki.SERVICE, Pki.NAMESPACE,
                List.of("10.96.0.10", "::1"), algorithm);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), request, RenewalPolicy.defaults(), now);

        String ca = openssl(material.signer().certificatePem());
        assertThat(ca).containsPattern("X509v3 Basic Constraints: critical\\s+CA:TRUE")
                .containsPattern("X509v3 Key Usage: critical\\s+Certificate Sign, CRL Sign")
                .contains("Subject: CN = activemq-ha-webhook-ca@");

        String leaf = openssl(material.leaf().certificatePem());
        assertThat(leaf).containsPattern("X509v3 Basic Constraints: critical\\s+CA:FALSE")
                .containsPattern("X509v3 Extended Key Usage: \\s*TLS Web Server Authentication\\s")
                .contains("DNS:activemq-ha-webhook, DNS:activemq-ha-webhook.activemq-ha, DNS:activemq-ha-webhook.activemq-ha.svc,"
                        + " DNS:activemq-ha-webhook.activemq-ha.svc.cluster.local, IP Address:10.96.0.10, IP Address:0:0:0:0:0:0:0:1")
                .contains("X509v3 Authority Key Identifier");
        assertThat(leaf).containsPattern(algorithm.isRsa()
                ? "X509v3 Key Usage: critical\\s+Digital Signature, Key Encipherment\\s"
                : "X509v3 Key Usage: critical\\s+Digital Signature\\s");
        assertThat(leaf).contains(algorithm.isRsa() ? "Public-Key: (" + (algorithm == KeyAlgorithm.RSA_3072 ? 3072 : 2048) + " bit)"
                : "NIST CURVE: P-256");
        // Serial: 17 octets printed as hex pairs, the first 01 (the fixed leading bit), 128 random bits after it.
        assertThat(leaf).containsPattern("Serial Number:\\s+01(:[0-9a-f]{2}){16}\\s");

        // openssl's own verification of the chain and the host name.
        Path caFile = Files.writeString(dir.resolve("ca.crt"), Pem.encodeCertificates(material.caBundle()));
        Path leafFile = Files.writeString(dir.resolve("tls.crt"), material.leaf().certificatePem());
        assertThat(run("openssl", "verify", "-CAfile", caFile.toString(), "-purpose", "sslserver",
                "-verify_hostname", Pki.SERVICE_DNS, leafFile.toString())).contains(": OK");
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void opensslAgreesThatTheKeyBelongsToTheCertificate(KeyAlgorithm algorithm) throws Exception {
        CertificateRequest request = CertificateRequest.forService(Pki.SERVICE, Pki.NAMESPACE, List.of(), algorithm);
        CertificateMaterial material = Pki.run(ExistingMaterial.none(), request, RenewalPolicy.defaults(), Instant.now());
        Path key = Files.writeString(dir.resolve("tls.key"), material.leaf().privateKeyPem());
        Path certificate = Files.writeString(dir.resolve("tls.crt"), material.leaf().certificatePem());

        String fromKey = run("openssl", "pkey", "-in", key.toString(), "-pubout");
        String fromCertificate = run("openssl", "x509", "-in", certificate.toString(), "-pubkey", "-noout");

        assertThat(fromKey).startsWith("-----BEGIN PUBLIC KEY-----").isEqualTo(fromCertificate);
    }

    /** Keys as openssl writes them are read too: PKCS#8, traditional RSA, EC with a leading EC PARAMETERS block. */
    @org.junit.jupiter.api.Test
    void readsKeysWrittenByOpenssl() throws Exception {
        Path ec = dir.resolve("ec.key");
        run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", ec.toString());
        Path rsa = dir.resolve("rsa.key");
        run("openssl", "genrsa", "-traditional", "-out", rsa.toString(), "2048");
        Path pkcs8 = dir.resolve("pkcs8.key");
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", pkcs8.toString());
        Path encrypted = dir.resolve("encrypted.key");
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256",
                "-pass", "pass:secret", "-out", encrypted.toString());

        assertThat(Files.readString(ec)).startsWith("-----BEGIN EC PARAMETERS-----");
        assertThat(Pem.decodePrivateKey(Files.readString(ec)).getAlgorithm()).isEqualTo("EC");
        assertThat(Files.readString(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Pem.decodePrivateKey(Files.readString(rsa)).getAlgorithm()).isEqualTo("RSA");
        assertThat(Pem.decodePrivateKey(Files.readString(pkcs8)).getAlgorithm()).isEqualTo("EC");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pem.decodePrivateKey(Files.readString(encrypted)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the private key is encrypted; an unencrypted key is needed");
    }

    private String openssl(String pem) throws Exception {
        Path file = Files.writeString(Files.createTempFile(dir, "cert", ".pem"), pem);
        return run("openssl", "x509", "-text", "-noout", "-in", file.toString());
    }

    private static String run(String... command) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("cannot run openssl (" + e.getMessage() + "): install it (Debian: apt-get install openssl);"
                    + " .ci/setup must provide it");
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("openssl finished").isTrue();
            assertThat(process.exitValue()).as("openssl exit code, output:%n%s", output).isZero();
            return output;
        } finally {
            process.destroyForcibly();
        }
    }
}
