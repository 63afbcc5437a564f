package io.activemqha.labeler.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Liveness ({@link LabelerContract#HEALTH_PATH}: 200 while every loop beats, 503 naming the wedged one)
 * and metrics ({@link LabelerContract#METRICS_PATH}) on the health port, on the JDK's small HTTP server.
 */
public final class HealthServer implements AutoCloseable {
    private static final int HTTP_THREADS = 3;

    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static HealthServer start(InetSocketAddress address, LoopHeartbeats heartbeats, Duration livenessTimeout,
                                     LabelerMetrics metrics) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new IOException("cannot bind the health endpoint to " + address + ": " + e.getMessage(), e);
        }
        // More than one thread: a lease request waits on the API server, and must not hold up the kubelet's probes.
        ExecutorService executor = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
            Thread t = new Thread(r, "health-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(LabelerContract.HEALTH_PATH, exchange -> {
            if (!allowGet(exchange)) {
                return;
            }
            Optional<String> stale = heartbeats.stale(livenessTimeout);
            if (stale.isPresent()) {
                respond(exchange, 503, "text/plain", "wedged: " + stale.get() + "\n");
            } else {
                respond(exchange, 200, "text/plain", "ok\n");
            }
        });
        server.createContext(LabelerContract.METRICS_PATH, exchange -> {
            if (allowGet(exchange)) {
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
            }
        });
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain",
                "not found: " + exchange.getRequestURI().getPath() + " (serving " + LabelerContract.HEALTH_PATH
                        + " and " + LabelerContract.METRICS_PATH + ")\n"));
        server.start();
        return new HealthServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Also serves the lease endpoint of {@link LeaseContract} (the lease locker is in use). */
    public void serveLease(HttpHandler endpoint) {
        server.createContext(LeaseContract.PATH, endpoint);
    }

    private static boolean allowGet(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if ("GET".equals(method) || "HEAD".equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain", "method " + method + " not allowed, use GET\n");
        return false;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
