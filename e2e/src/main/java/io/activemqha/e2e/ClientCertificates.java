package io.activemqha.e2e;

import io.activemqha.certs.CertificateAuthority;
import io.activemqha.certs.KeyAlgorithm;
import io.activemqha.certs.Validity;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues X.509 client certificates, which the API server maps to a user (CN) and groups (O): the certs module only
 * issues serving certificates, the control plane also needs its clients authenticated.
 */
public final class ClientCertificates {
    private final SecureRandom random = new SecureRandom();
    private final CertificateAuthority authority;

    public ClientCertificates(CertificateAuthority authority) {
        this.authority = authority;
    }

    /** A clientAuth certificate and key for user {@code user} in {@code group} (null for none). */
    public IssuedKeyPair issue(String user, String group, Validity validity) {
        // RSA: fabric8 reads a PKCS#8 client key as RSA unless told otherwise, and kubeconfigs cannot tell it.
        KeyPair keys = KeyAlgorithm.RSA_2048.generateKeyPair(random);
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (group != null) {
            subject.addRDN(BCStyle.O, group);
        }
        subject.addRDN(BCStyle.CN, user);
        byte[] serial = new byte[16];
        random.nextBytes(serial);
        try {
            var builder = new JcaX509v3CertificateBuilder(
                    X500Name.getInstance(authority.certificate().getSubjectX500Principal().getEncoded()),
                    new BigInteger(1, serial), Date.from(validity.notBefore()), Date.from(validity.notAfter()),
                    subject.build(), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder(authority.signingAlgorithm().signatureAlgorithm())
                            .build(authority.privateKey())));
            return new IssuedKeyPair(certificate, keys.getPrivate());
        } catch (CertIOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a client certificate for " + user + ": " + e.getMessage(), e);
        }
    }
}
