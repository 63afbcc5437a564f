package io.activemqha.labeler.probe;

import io.activemqha.labeler.Throwables;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Turns a probe's exception into one short log-friendly reason, so a slave broker never floods the log. */
final class Failures {
    /** The reason of a refused connect, which {@link ProbeResult.Inactive#refused()} recognises. */
    static final String REFUSED = "connection refused";

    private Failures() {
    }

    static String describe(Throwable t) {
        Throwable root = Throwables.rootCause(t);
        if (root instanceof ConnectException) {
            return REFUSED;
        }
        if (root instanceof SocketTimeoutException) {
            return "connect timed out";
        }
        if (root instanceof UnknownHostException) {
            return "unknown host " + root.getMessage();
        }
        if (root instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (root instanceof EOFException) {
            return "connection closed by the broker";
        }
        if (root instanceof SocketException) {
            return "socket error: " + root.getMessage();
        }
        return Throwables.oneLine(root);
    }
}
