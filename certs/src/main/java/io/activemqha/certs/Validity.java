package io.activemqha.certs;

import java.time.Duration;
import java.time.Instant;

/**
 * A certificate's validity window.
 *
 * @param notBefore first instant the certificate is valid
 * @param notAfter  last instant the certificate is valid
 */
public record Validity(Instant notBefore, Instant notAfter) {
    /** Backdating tolerates clock skew between the issuer and the API server nodes. */
    public static final Duration BACKDATE = Duration.ofMinutes(5);

    /** Rejects an empty or inverted window. */
    public Validity {
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter " + notAfter + " is not after notBefore " + notBefore);
        }
    }

    /** The whole span from notBefore to notAfter. */
    public Duration lifetime() {
        return Duration.between(notBefore, notAfter);
    }

    /** This window, with notAfter moved back to {@code limit} when it lies beyond it. */
    public Validity endingNoLaterThan(Instant limit) {
        return notAfter.isAfter(limit) ? new Validity(notBefore, limit) : this;
    }

    /** The window of an existing certificate. */
    public static Validity of(java.security.cert.X509Certificate certificate) {
        return new Validity(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    }

    /** Valid from {@link #BACKDATE} before {@code now} until {@code now + duration}. */
    public static Validity startingAt(Instant now, Duration duration) {
        return new Validity(now.minus(BACKDATE), now.plus(duration));
    }
}
