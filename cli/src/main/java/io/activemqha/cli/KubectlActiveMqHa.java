package io.activemqha.cli;

import java.io.PrintWriter;
import java.time.Clock;

/** Entry point of {@code kubectl-activemq_ha}: the kubectl plugin's executable. */
public final class KubectlActiveMqHa {
    private KubectlActiveMqHa() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int exitCode = PluginCommandLine.create(new KubeconfigConnector(), Clock.systemUTC(), out, err).execute(args);
        out.flush();
        System.exit(exitCode);
    }
}
