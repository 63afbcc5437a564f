package io.activemqha.certs;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Locale;
import java.util.Optional;

/** Key types offered for the CA and the serving certificate; ECDSA P-256 is the default. */
public enum KeyAlgorithm {
    EC_P256("SHA256withECDSA"),
    RSA_2048("SHA256withRSA"),
    RSA_3072("SHA256withRSA");

    /** The group order n of NIST P-256 (secp256r1), which tells it apart from other 256-bit curves. */
    private static final BigInteger P256_ORDER =
            new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    private final String signatureAlgorithm;

    KeyAlgorithm(String signatureAlgorithm) {
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** The JCA signature algorithm a key of this type signs with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** True for the RSA sizes, whose TLS key exchange may also need keyEncipherment. */
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

    /** The CLI spelling accepted by {@link #parse}: {@code ecdsa-p256}, {@code rsa-2048}, {@code rsa-3072}. */
    public String cliName() {
        return switch (this) {
            case EC_P256 -> "ecdsa-p256";
            case RSA_2048 -> "rsa-2048";
            case RSA_3072 -> "rsa-3072";
        };
    }

    /** The type of an existing public key, or empty when it is none of these (another curve or RSA size). */
    public static Optional<KeyAlgorithm> of(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return switch (rsa.getModulus().bitLength()) {
                case 2048 -> Optional.of(RSA_2048);
                case 3072 -> Optional.of(RSA_3072);
                default -> Optional.empty();
            };
        }
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256
                && ec.getParams().getOrder().equals(P256_ORDER)) {
            return Optional.of(EC_P256);
        }
        return Optional.empty();
    }

    /** Parses the CLI spelling: {@code ecdsa-p256}, {@code rsa-2048}, {@code rsa-3072}. */
    public static KeyAlgorithm parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "ecdsa-p256", "ec-p256", "ecdsa", "ec" -> EC_P256;
            case "rsa-2048", "rsa2048" -> RSA_2048;
            case "rsa-3072", "rsa3072" -> RSA_3072;
            default -> throw new IllegalArgumentException(
                    "unknown key algorithm '" + text + "': expected ecdsa-p256, rsa-2048 or rsa-3072");
        };
    }
}
