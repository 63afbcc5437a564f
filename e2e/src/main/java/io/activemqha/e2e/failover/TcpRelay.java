package io.activemqha.e2e.failover;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards TCP connections from an address of the pod network to a loopback port: the API server listens on
 * 127.0.0.1 only, the pods reach it as {@code https://<gateway>:<port>} (its serving certificate names the gateway
 * too). Bytes are copied unchanged both ways, so TLS runs end to end between the pod and the API server.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    private TcpRelay(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** Listens on {@code address} (an ephemeral port) and forwards to {@code 127.0.0.1:targetPort}. */
    public static TcpRelay start(String address, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            TcpRelay relay = new TcpRelay(server, targetPort);
            Thread acceptor = new Thread(relay::accept, "relay-" + address);
            acceptor.setDaemon(true);
            acceptor.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address, e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket inbound = server.accept();
                if (cut) {
                    closeQuietly(inbound);
                    continue;
                }
                Socket outbound = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(inbound);
                open.add(outbound);
                pump(inbound, outbound);
                pump(outbound, inbound);
            } catch (IOException closedOrRefused) {
                // closed: the loop ends; refused: the client sees its connection reset, as without the relay
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ended) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /**
     * Makes the target unreachable through this relay: every relayed connection is closed now, and connections
     * accepted until {@link #restore()} are closed at once (the client sees its connection reset). The listening port
     * stays, so clients reconnect to the same address once restored.
     */
    public void cut() {
        cut = true;
        open.forEach(this::closeQuietly);
    }

    /** Relays new connections again after {@link #cut()}. */
    public void restore() {
        cut = false;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.forEach(this::closeQuietly);
    }
}
