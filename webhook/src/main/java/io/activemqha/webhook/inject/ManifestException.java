package io.activemqha.webhook.inject;

/** A manifest that cannot be injected: malformed YAML or a pod template the webhook would deny. */
public final class ManifestException extends Exception {
    private final int line;

    public ManifestException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** 1-based line of the problem in the input. */
    public int line() {
        return line;
    }
}
