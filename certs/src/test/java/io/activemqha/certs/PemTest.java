package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
    @TempDir
    Path dir;

    @Test
    void readsSec1EcKeyWithoutEmbeddedPublicKey() throws Exception {
        Path full = dir.resolve("full.pem");
        Path noPublic = dir.resolve("no-public.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", full.toString());
        openssl("ec", "-in", full.toString(), "-no_public", "-out", noPublic.toString());

        ECPrivateKey expected = (ECPrivateKey) Pem.decodePrivateKey(Files.readString(full));
        ECPrivateKey withoutPublic = (ECPrivateKey) Pem.decodePrivateKey(Files.readString(noPublic));

        assertThat(withoutPublic.getS()).isEqualTo(expected.getS());
    }

    @Test
    void sec1KeyNamingNoCurveIsRefusedClearly() throws Exception {
        // A JDK EC key written in the traditional form carries neither curve nor public key: no tool can read it.
        KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(new SecureRandom());
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keys.getPrivate());
        }

        assertThatThrownBy(() -> Pem.decodePrivateKey(out.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no curve");
    }

    @Test
    void pkcs8RoundTrip() {
        KeyPair keys = KeyAlgorithm.RSA_2048.generateKeyPair(new SecureRandom());
        String pem = Pem.encodePrivateKey(keys.getPrivate());

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Pem.decodePrivateKey(pem).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }

    private static void openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("openssl %s: %s", String.join(" ", args), output).isZero();
    }
}
