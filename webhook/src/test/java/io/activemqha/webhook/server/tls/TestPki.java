package io.activemqha.webhook.server.tls;

import io.activemqha.certs.CertificateAuthority;
import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.ServingCertificate;
import io.activemqha.certs.Validity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A test CA that issues serving certificates for the loopback names the tests connect to. */
public final class TestPki {
    public static final List<String> LOOPBACK_HOSTS = List.of("localhost", "127.0.0.1");

    private final CertificateAuthority ca;

    public TestPki(String name) {
        this.ca = CertificateAuthority.create(name, Validity.startingAt(Instant.now(), Duration.ofDays(1)),
                KeyAlgorithm.EC_P256);
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public String caPem() {
        return ca.certificatePem();
    }

    /** A fresh leaf (new key, new serial) for localhost and 127.0.0.1. */
    public ServingCertificate issueLoopback() {
        return issue(KeyAlgorithm.EC_P256, Validity.startingAt(Instant.now(), Duration.ofHours(1)));
    }

    public ServingCertificate issue(KeyAlgorithm algorithm, Validity validity) {
        return ca.issueServing(LOOPBACK_HOSTS, validity, algorithm);
    }
}
