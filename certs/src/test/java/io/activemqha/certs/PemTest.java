package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.SecureRandom;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;

class PemTest {
    @Test
    void readsTraditionalEcKeyWithoutEmbeddedPublicKey() throws Exception {
        // BouncyCastle writes SEC1 "EC PRIVATE KEY" blocks without the optional public key (openssl includes it).
        KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(new SecureRandom());
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keys.getPrivate());
        }
        assertThat(out.toString()).startsWith("-----BEGIN EC PRIVATE KEY-----");

        assertThat(Pem.decodePrivateKey(out.toString()).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }

    @Test
    void pkcs8RoundTrip() {
        KeyPair keys = KeyAlgorithm.RSA_2048.generateKeyPair(new SecureRandom());
        String pem = Pem.encodePrivateKey(keys.getPrivate());

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Pem.decodePrivateKey(pem).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
    }
}
