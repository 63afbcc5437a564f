package io.activemqha.cli;

/** The plugin's exit codes, a contract with scripts (docs/kubectl-plugin.md). */
public final class ExitCodes {
    /** Everything checked is fine. */
    public static final int OK = 0;
    /** The report names at least one problem or warning. */
    public static final int PROBLEMS = 1;
    /** Wrong command line (picocli's usage-error code). */
    public static final int USAGE = 2;
    /** The API server could not be reached, or refused the credentials or the request. */
    public static final int API_UNREACHABLE = 3;

    private ExitCodes() {
    }
}
