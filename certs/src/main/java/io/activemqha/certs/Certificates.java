package io.activemqha.certs;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Questions asked about existing certificates: who signed them, for which names, whether a key fits. */
public final class Certificates {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private Certificates() {
    }

    /** True when {@code issuer}'s key verifies {@code certificate}'s signature. */
    public static boolean isSignedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** True when {@code certificate} may sign others (basicConstraints CA:TRUE). */
    public static boolean isCa(X509Certificate certificate) {
        return certificate.getBasicConstraints() >= 0;
    }

    /** True when the extended key usage allows TLS server authentication. */
    public static boolean allowsServerAuth(X509Certificate certificate) {
        try {
            List<String> usages = certificate.getExtendedKeyUsage();
            return usages != null && usages.contains(SERVER_AUTH);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** True when {@code privateKey} is the other half of {@code publicKey}: it signs what the public key verifies. */
    public static boolean keysMatch(PrivateKey privateKey, PublicKey publicKey) {
        if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> "SHA256withECDSA";
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The DNS and IP subject alternative names, in {@link ServiceHosts#canonicalHost canonical} form. */
    public static Set<String> subjectAlternativeNames(X509Certificate certificate) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            if (entries != null) {
                for (List<?> entry : entries) {
                    int type = (Integer) entry.get(0);
                    // Only normalized, not validated: whatever a certificate names must compare, never throw.
                    // The JDK prints IP addresses as InetAddress#getHostAddress does, the canonical form.
                    if (type == SAN_DNS) {
                        names.add(((String) entry.get(1)).toLowerCase(Locale.ROOT));
                    } else if (type == SAN_IP) {
                        names.add((String) entry.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unparseable SAN extension names nothing we could serve.
        }
        return names;
    }

    /** The CA of {@code bundle} whose key signed {@code certificate}, if any. */
    public static Optional<X509Certificate> issuerIn(X509Certificate certificate, List<X509Certificate> bundle) {
        return bundle.stream().filter(ca -> isSignedBy(certificate, ca)).findFirst();
    }

    /**
     * Why a TLS client trusting exactly {@code bundle} would reject {@code leaf} at {@code at}, or empty when it
     * would accept it (PKIX path validation, plus the issuing CA's own validity, which PKIX does not check for a
     * trust anchor).
     */
    public static Optional<String> chainFailure(X509Certificate leaf, List<X509Certificate> bundle, Instant at) {
        Optional<X509Certificate> issuer = issuerIn(leaf, bundle);
        if (issuer.isEmpty()) {
            return Optional.of("not signed by any CA in the bundle");
        }
        X509Certificate ca = issuer.get();
        if (at.isBefore(ca.getNotBefore().toInstant())) {
            return Optional.of("its CA " + subject(ca) + " is not valid before " + ca.getNotBefore().toInstant());
        }
        if (at.isAfter(ca.getNotAfter().toInstant())) {
            return Optional.of("its CA " + subject(ca) + " expired on " + ca.getNotAfter().toInstant());
        }
        try {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(at));
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), parameters);
            return Optional.empty();
        } catch (CertPathValidatorException e) {
            return Optional.of(e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX validation unavailable: " + e.getMessage(), e);
        }
    }

    /** The subject's distinguished name, for messages. */
    public static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }
}
