package io.activemqha.labeler.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The server of the lease endpoint ({@link LeaseContract#PATH}), apart from the health port's: bound to
 * {@code 127.0.0.1} only, on {@link LeaseContract#leasePort(int) the port after the health port}, with threads of its
 * own. Nothing outside the pod can reach it, and no client of the health port (which the node and the pod network
 * reach) can delay the broker's renewals. Bounded like the health port's ({@link BoundedHttpServer}).
 */
public final class LeaseServer implements AutoCloseable {
    private final BoundedHttpServer server;

    private LeaseServer(BoundedHttpServer server) {
        this.server = server;
    }

    /**
     * Binds {@code 127.0.0.1:port}; {@link #serve} starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static LeaseServer bind(int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
        try {
            return new LeaseServer(BoundedHttpServer.bind("lease endpoint", "lease-http", address));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (the lease endpoint's port is the health port + 1, where the"
                    + " webhook points the broker's lease locker: the health port must leave it free)", e);
        }
    }

    /** Serves {@link LeaseContract#PATH} with {@code endpoint}, from now on. */
    public void serve(HttpHandler endpoint) {
        server.serve(LeaseContract.PATH, endpoint);
        server.serve("/", LeaseServer::notFound);
        server.start();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        byte[] body = ("not found: " + exchange.getRequestURI().getPath() + " (serving " + LeaseContract.PATH + ")\n")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(404, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }
}
