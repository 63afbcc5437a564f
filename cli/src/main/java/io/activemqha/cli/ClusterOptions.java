package io.activemqha.cli;

import picocli.CommandLine.Option;

/** The kubectl-like options every command takes; unset ones fall back to the kubeconfig, as kubectl does. */
public final class ClusterOptions {
    @Option(names = "--kubeconfig", description = "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    String kubeconfig;

    @Option(names = "--context", description = "The kubeconfig context to use (default: its current context).")
    String context;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "Output format: ${COMPLETION-CANDIDATES}.")
    OutputFormat output;

    public String kubeconfig() {
        return kubeconfig;
    }

    public String context() {
        return context;
    }

    public OutputFormat output() {
        return output;
    }
}
