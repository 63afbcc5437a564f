package io.activemqha.certs.cli;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.kube.KubernetesErrors;
import io.fabric8.kubernetes.client.KubernetesClientException;
import picocli.CommandLine;

/**
 * Prints a failed command's error as one line on stderr, without a stack trace: {@link CertsException} and
 * invalid arguments exit {@link ExitCodes#FAILED} / {@link ExitCodes#USAGE}; anything unexpected is labelled an
 * internal error and still printed as one line.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine command, CommandLine.ParseResult parseResult) {
        var err = command.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("error: " + e.getMessage());
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        }
        if (e instanceof CertsException) {
            err.println("error: " + e.getMessage());
        } else if (e instanceof KubernetesClientException kubernetes) {
            err.println("error: Kubernetes API: " + KubernetesErrors.describe(kubernetes));
        } else {
            err.println("internal error: " + e);
        }
        err.flush();
        return ExitCodes.FAILED;
    }
}
