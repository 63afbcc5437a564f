package io.activemqha.certs;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A self-signed certificate authority that issues the webhook's serving certificates.
 *
 * @param certificate the CA certificate (what goes into {@code ca.crt} and the caBundle)
 * @param privateKey  the CA key
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** RFC 5280 upper bound of a commonName. */
    private static final int MAX_COMMON_NAME = 64;

    /** A new self-signed CA: basicConstraints CA (path length 0), keyCertSign and cRLSign. */
    public static CertificateAuthority create(String commonName, Validity validity, KeyAlgorithm algorithm) {
        KeyPair keys = algorithm.generateKeyPair(RANDOM);
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, validity, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(sign(builder, keys.getPrivate(), algorithm), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Issues a serving certificate for {@code hosts} (DNS names or IP literals, the first one that fits also the CN):
     * not a CA, digitalSignature (+keyEncipherment for RSA), extended key usage serverAuth. A validity reaching past
     * this CA's own end is cut at it: a leaf can never be trusted longer than its issuer.
     */
    public ServingCertificate issueServing(List<String> hosts, Validity validity, KeyAlgorithm algorithm) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one host name");
        }
        String commonName = hosts.stream().filter(host -> host.length() <= MAX_COMMON_NAME).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no host name fits a commonName (64 characters)"));
        validity = validity.endingNoLaterThan(certificate.getNotAfter().toInstant());
        KeyPair keys = algorithm.generateKeyPair(RANDOM);
        int usage = KeyUsage.digitalSignature | (algorithm.isRsa() ? KeyUsage.keyEncipherment : 0);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    name(commonName), validity, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(usage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(hosts))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate.getPublicKey()));
            return new ServingCertificate(sign(builder, privateKey, signingAlgorithm()), keys.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue serving certificate: " + e.getMessage(), e);
        }
    }

    /** PEM of the CA certificate. */
    public String certificatePem() {
        return Pem.encodeCertificates(List.of(certificate));
    }

    /** PKCS#8 PEM of the CA key. */
    public String privateKeyPem() {
        return Pem.encodePrivateKey(privateKey);
    }

    /** The algorithm this CA's own key signs with. */
    public KeyAlgorithm signingAlgorithm() {
        return KeyAlgorithm.of(certificate.getPublicKey())
                .orElse("EC".equals(privateKey.getAlgorithm()) ? KeyAlgorithm.EC_P256 : KeyAlgorithm.RSA_2048);
    }

    /** True when this CA's key signed {@code issued} (a signature check, not a name comparison). */
    public boolean signed(X509Certificate issued) {
        return Certificates.isSignedBy(issued, certificate);
    }

    /**
     * True when {@code host} is a well-formed IPv4 or IPv6 literal rather than a DNS name. Parsed without any
     * name lookup: {@code InetAddress.getByName} would query DNS for a malformed literal such as {@code 999.1.1.1}.
     */
    public static boolean isIpLiteral(String host) {
        return IPAddress.isValid(host);
    }

    private static GeneralNames subjectAlternativeNames(List<String> hosts) {
        List<GeneralName> names = new ArrayList<>();
        for (String host : hosts) {
            if (isIpLiteral(host)) {
                names.add(new GeneralName(GeneralName.iPAddress, host));
            } else {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, Validity validity, PublicKey key) {
        // 128 random bits under a fixed leading one bit: the serial is always 129 bits long (17 octets, within
        // RFC 5280's 20) whatever the random bits are, and positive, so no leading zero shortens it.
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(1, serial).setBit(128),
                Date.from(validity.notBefore()), Date.from(validity.notAfter()), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, KeyAlgorithm algorithm)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X500Name name(String commonName) {
        if (commonName.length() > MAX_COMMON_NAME) {
            throw new IllegalArgumentException("commonName longer than 64 characters: " + commonName);
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }
}
