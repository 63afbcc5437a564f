package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The extensions of issued certificates, read back with BouncyCastle's ASN.1 parser. */
class CertificateExtensionsTest {
    private static final List<String> HOSTS = ServiceHosts.of(Pki.SERVICE, Pki.NAMESPACE, List.of("10.96.0.10", "fd00::1"));

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void caIsACriticalCaThatSignsCertificates(KeyAlgorithm algorithm) throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Validity.startingAt(now, Pki.days(3650)), algorithm);
        X509CertificateHolder holder = holder(ca.certificate());

        Extension basic = holder.getExtension(Extension.basicConstraints);
        assertThat(basic.isCritical()).isTrue();
        assertThat(BasicConstraints.getInstance(basic.getParsedValue()).isCA()).isTrue();
        Extension usage = holder.getExtension(Extension.keyUsage);
        assertThat(usage.isCritical()).isTrue();
        assertThat(KeyUsage.getInstance(usage.getParsedValue()).hasUsages(KeyUsage.keyCertSign)).isTrue();
        assertThat(holder.getExtension(Extension.subjectKeyIdentifier)).isNotNull();
        assertThat(holder.getNotBefore().toInstant()).isBefore(now);
        assertThat(KeyAlgorithm.of(ca.certificate().getPublicKey())).contains(algorithm);
        assertThat(ca.signingAlgorithm()).isEqualTo(algorithm);
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void leafIsAServerCertificateForEveryName(KeyAlgorithm algorithm) throws Exception {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Validity.startingAt(now, Pki.days(3650)), algorithm);
        ServingCertificate leaf = ca.issueServing(HOSTS, Validity.startingAt(now, Pki.days(365)), algorithm);
        X509CertificateHolder holder = holder(leaf.certificate());

        Extension basic = holder.getExtension(Extension.basicConstraints);
        assertThat(basic.isCritical()).isTrue();
        assertThat(BasicConstraints.getInstance(basic.getParsedValue()).isCA()).isFalse();
        KeyUsage usage = KeyUsage.getInstance(holder.getExtension(Extension.keyUsage).getParsedValue());
        assertThat(usage.hasUsages(KeyUsage.digitalSignature)).isTrue();
        assertThat(usage.hasUsages(KeyUsage.keyEncipherment)).isEqualTo(algorithm.isRsa());
        assertThat(usage.hasUsages(KeyUsage.keyCertSign)).isFalse();
        ExtendedKeyUsage extended = ExtendedKeyUsage.getInstance(holder.getExtension(Extension.extendedKeyUsage).getParsedValue());
        assertThat(extended.getUsages()).containsExactly(KeyPurposeId.id_kp_serverAuth);

        GeneralNames names = GeneralNames.getInstance(holder.getExtension(Extension.subjectAlternativeName).getParsedValue());
        List<String> dns = java.util.Arrays.stream(names.getNames()).filter(name -> name.getTagNo() == GeneralName.dNSName)
                .map(name -> name.getName().toString()).toList();
        List<byte[]> ips = java.util.Arrays.stream(names.getNames()).filter(name -> name.getTagNo() == GeneralName.iPAddress)
                .map(name -> ASN1OctetString.getInstance(name.getName()).getOctets()).toList();
        assertThat(dns).containsExactly("activemq-ha-webhook", "activemq-ha-webhook.activemq-ha",
                "activemq-ha-webhook.activemq-ha.svc", "activemq-ha-webhook.activemq-ha.svc.cluster.local");
        assertThat(ips).hasSize(2);
        assertThat(ips.get(0)).containsExactly(10, 96, 0, 10);
        assertThat(ips.get(1)).hasSize(16).startsWith((byte) 0xfd, (byte) 0x00).endsWith((byte) 0x01);

        assertThat(holder.getNotBefore().toInstant()).isBefore(now).isAfterOrEqualTo(now.minus(Validity.BACKDATE).minusSeconds(1));
        assertThat(holder.getIssuer()).isEqualTo(holder(ca.certificate()).getSubject());
        assertThat(ca.signed(leaf.certificate())).isTrue();
        assertThat(Certificates.keysMatch(leaf.privateKey(), leaf.certificate().getPublicKey())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(KeyAlgorithm.class)
    void serialsAreRandomAndAtLeast128BitsLong(KeyAlgorithm algorithm) {
        Instant now = Instant.now();
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Validity.startingAt(now, Pki.days(10)), algorithm);
        Set<BigInteger> serials = new HashSet<>();
        serials.add(ca.certificate().getSerialNumber());
        int issues = algorithm.isRsa() ? 4 : 64;
        for (int i = 0; i < issues; i++) {
            serials.add(ca.issueServing(List.of("a.b.svc"), Validity.startingAt(now, Pki.days(1)), algorithm)
                    .certificate().getSerialNumber());
        }
        assertThat(serials).hasSize(issues + 1);
        assertThat(serials).allSatisfy(serial -> {
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isGreaterThanOrEqualTo(129); // 128 random bits under a leading one
            assertThat(serial.toByteArray().length).isLessThanOrEqualTo(20); // RFC 5280
        });
        // 128 random bits: across the serials, every one of the low 128 bit positions takes both values.
        for (int bit = 0; bit < 128 && !algorithm.isRsa(); bit++) {
            int position = bit;
            assertThat(serials.stream().map(serial -> serial.testBit(position)).distinct()).as("bit %d", bit).hasSize(2);
        }
    }

    private static X509CertificateHolder holder(X509Certificate certificate) throws Exception {
        return new X509CertificateHolder(certificate.getEncoded());
    }
}
