package io.activemqha.certs.cli;

/** The CLI's exit codes. */
public final class ExitCodes {
    /** Done (create/patch), or everything valid (check). */
    public static final int OK = 0;
    /** check: something is invalid or expires within the warning window. */
    public static final int CHECK_FAILED = 1;
    /** Invalid command line: unknown option, bad duration, name that is not a DNS label. */
    public static final int USAGE = 2;
    /** The operation failed: unreadable file, invalid material, wrong Secret type, API error. Nothing was written. */
    public static final int FAILED = 3;

    private ExitCodes() {
    }
}
