package io.activemqha.certs;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** PEM encoding and decoding of certificates and private keys (BouncyCastle). */
public final class Pem {
    private Pem() {
    }

    /** Concatenated {@code CERTIFICATE} blocks, in order. */
    public static String encodeCertificates(List<X509Certificate> certificates) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** An unencrypted PKCS#8 {@code PRIVATE KEY} block, which every TLS stack reads for both EC and RSA. */
    public static String encodePrivateKey(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Every certificate in a PEM text.
     *
     * @throws IllegalArgumentException when the text holds no certificate or a block is not one
     */
    public static List<X509Certificate> decodeCertificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
                if (!(block instanceof X509CertificateHolder holder)) {
                    throw new IllegalArgumentException("expected a CERTIFICATE block, found " + block.getClass().getSimpleName());
                }
                certificates.add(converter.getCertificate(holder));
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + reason(e), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no PEM CERTIFICATE block found");
        }
        return certificates;
    }

    /**
     * The private key of a PEM text: PKCS#8, or the traditional RSA/EC forms.
     *
     * @throws IllegalArgumentException when the text holds no unencrypted private key
     */
    public static PrivateKey decodePrivateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            Object block = parser.readObject();
            // "openssl ecparam -genkey" writes an EC PARAMETERS block before the key: skip it.
            while (block instanceof ASN1ObjectIdentifier || block instanceof X9ECParameters) {
                block = parser.readObject();
            }
            if (block instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (block instanceof PEMKeyPair pair) {
                // Only the private half: SEC1 keys written without the optional public key have none to convert.
                PrivateKeyInfo info = pair.getPrivateKeyInfo();
                if (info.getPrivateKeyAlgorithm().getParameters() == null) {
                    throw new IllegalArgumentException(
                            "the EC PRIVATE KEY names no curve; write it with its parameters or as PKCS#8 (BEGIN PRIVATE KEY)");
                }
                return converter.getPrivateKey(info);
            }
            if (block instanceof PEMEncryptedKeyPair || block instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new IllegalArgumentException("the private key is encrypted; an unencrypted key is needed");
            }
            throw new IllegalArgumentException("expected an unencrypted PRIVATE KEY block, found "
                    + (block == null ? "nothing" : block.getClass().getSimpleName()));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key: " + reason(e), e);
        }
    }

    /** The innermost message: BouncyCastle wraps the actual reason in exceptions whose text names classes. */
    private static String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
