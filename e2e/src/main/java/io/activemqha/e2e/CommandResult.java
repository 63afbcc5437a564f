package io.activemqha.e2e;

/**
 * Outcome of a command run to completion.
 *
 * @param exitCode the exit code
 * @param stdout   standard output
 * @param stderr   standard error
 */
public record CommandResult(int exitCode, String stdout, String stderr) {
    public boolean succeeded() {
        return exitCode == 0;
    }
}
