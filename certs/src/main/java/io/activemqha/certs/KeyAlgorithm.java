package io.activemqha.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** Key types offered for the CA and the serving certificate; ECDSA P-256 is the default. */
public enum KeyAlgorithm {
    EC_P256("SHA256withECDSA"),
    RSA_2048("SHA256withRSA"),
    RSA_3072("SHA256withRSA");

    private final String signatureAlgorithm;

    KeyAlgorithm(String signatureAlgorithm) {
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** The JCA signature algorithm a key of this type signs with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    public boolean isRsa() {
        return this != EC_P256;
    }

    /** A fresh key pair of this type. */
    public KeyPair generateKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator;
            switch (this) {
                case EC_P256 -> {
                    generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
                }
                case RSA_2048 -> {
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048, random);
                }
                case RSA_3072 -> {
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(3072, random);
                }
                default -> throw new IllegalStateException(name());
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + this + " key: " + e.getMessage(), e);
        }
    }

    /** Parses the CLI spelling: {@code ecdsa-p256}, {@code rsa-2048}, {@code rsa-3072}. */
    public static KeyAlgorithm parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "ecdsa-p256", "ec-p256", "ecdsa", "ec" -> EC_P256;
            case "rsa-2048", "rsa2048" -> RSA_2048;
            case "rsa-3072", "rsa3072" -> RSA_3072;
            default -> throw new IllegalArgumentException(
                    "unknown key algorithm '" + text + "': expected ecdsa-p256, rsa-2048 or rsa-3072");
        };
    }
}
