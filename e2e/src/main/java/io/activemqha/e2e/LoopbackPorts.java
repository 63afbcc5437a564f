package io.activemqha.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1 for child processes that cannot be told to bind port 0 and report it. */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A port that was free on 127.0.0.1 a moment ago (the kernel's ephemeral choice). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
