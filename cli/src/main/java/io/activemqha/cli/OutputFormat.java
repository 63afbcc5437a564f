package io.activemqha.cli;

/** {@code -o}: a human report, or JSON for scripts. */
public enum OutputFormat {
    text, json
}
