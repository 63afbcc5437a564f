package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

/**
 * How long new certificates live and when existing ones are replaced.
 *
 * @param caValidity         lifetime of a new CA
 * @param leafValidity       lifetime of a new serving certificate (cut at its CA's end)
 * @param leafRenewBefore    renew the serving certificate once less than this remains; empty: a third of its lifetime
 * @param caRenewBefore      rotate the CA once less than this remains; empty: a third of its lifetime, but at least
 *                           {@code leafValidity}, so that no leaf issued before the rotation is cut short
 * @param caPublicationDelay how long a new CA is only published in the bundle before the serving certificate moves
 *                           to it, so that every webhook configuration has the new caBundle before a leaf needs it
 */
public record RenewalPolicy(Duration caValidity, Duration leafValidity, Optional<Duration> leafRenewBefore,
                            Optional<Duration> caRenewBefore, Duration caPublicationDelay) {
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_LEAF_VALIDITY = Duration.ofDays(365);
    public static final Duration DEFAULT_CA_PUBLICATION_DELAY = Duration.ofHours(1);

    /** Rejects non-positive lifetimes and renewal windows that would renew on every run. */
    public RenewalPolicy {
        requirePositive("CA validity", caValidity);
        requirePositive("leaf validity", leafValidity);
        if (leafValidity.compareTo(caValidity) >= 0) {
            throw new IllegalArgumentException("the leaf validity (" + Durations.format(leafValidity)
                    + ") must be shorter than the CA validity (" + Durations.format(caValidity) + ")");
        }
        leafRenewBefore.ifPresent(window -> requireWindow("leaf renew-before", window, leafValidity));
        caRenewBefore.ifPresent(window -> requireWindow("CA renew-before", window, caValidity));
        if (caPublicationDelay.isNegative()) {
            throw new IllegalArgumentException("the CA publication delay must not be negative");
        }
    }

    /** The defaults: CA 10 years, leaf 1 year, windows a third of each lifetime, publication delay 1 hour. */
    public static RenewalPolicy defaults() {
        return new RenewalPolicy(DEFAULT_CA_VALIDITY, DEFAULT_LEAF_VALIDITY, Optional.empty(), Optional.empty(),
                DEFAULT_CA_PUBLICATION_DELAY);
    }

    /** How long before its end {@code leaf} is renewed. */
    public Duration leafRenewalWindow(X509Certificate leaf) {
        return leafRenewBefore.orElseGet(() -> Validity.of(leaf).lifetime().dividedBy(3));
    }

    /** How long before its end {@code ca} is rotated. */
    public Duration caRenewalWindow(X509Certificate ca) {
        return caRenewBefore.orElseGet(() -> {
            Duration third = Validity.of(ca).lifetime().dividedBy(3);
            return third.compareTo(leafValidity) >= 0 ? third : leafValidity;
        });
    }

    private static void requirePositive(String what, Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("the " + what + " must be positive, not " + Durations.format(duration));
        }
    }

    private static void requireWindow(String what, Duration window, Duration lifetime) {
        if (window.isNegative() || window.compareTo(lifetime) >= 0) {
            throw new IllegalArgumentException("the " + what + " (" + Durations.format(window)
                    + ") must be at least 0 and shorter than the lifetime (" + Durations.format(lifetime)
                    + "), or every run would renew");
        }
    }
}
