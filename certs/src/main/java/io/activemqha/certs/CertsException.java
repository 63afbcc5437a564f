package io.activemqha.certs;

/**
 * A failure the user can act on (unreadable file, invalid material, refused write, API error): its message is
 * the complete explanation, printed without a stack trace.
 */
public class CertsException extends RuntimeException {
    /** A failure described by {@code message}. */
    public CertsException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public CertsException(String message, Throwable cause) {
        super(message, cause);
    }
}
