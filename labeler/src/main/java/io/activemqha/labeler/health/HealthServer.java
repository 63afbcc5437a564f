package io.activemqha.labeler.health;

import com.sun.net.httpserver.HttpExchange;
import io.activemqha.common.LabelerContract;
import io.activemqha.labeler.http.BoundedHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Liveness ({@link LabelerContract#HEALTH_PATH}: 200 while every loop beats, 503 naming the wedged one)
 * and metrics ({@link LabelerContract#METRICS_PATH}) on the health port, on the JDK's small HTTP server, bounded by
 * {@link BoundedHttpServer} so that slow or stalled clients cannot hold up the kubelet's probes. The lease endpoint
 * has a server of its own ({@link io.activemqha.labeler.http.LeaseServer}).
 */
public final class HealthServer implements AutoCloseable {
    private final BoundedHttpServer server;

    private HealthServer(BoundedHttpServer server) {
        this.server = server;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException naming the address when it cannot be bound
     */
    public static HealthServer start(InetSocketAddress address, LoopHeartbeats heartbeats, Duration livenessTimeout,
                                     LabelerMetrics metrics) throws IOException {
        BoundedHttpServer server = BoundedHttpServer.bind("health endpoint", "health-http", address);
        server.serve(LabelerContract.HEALTH_PATH, exchange -> {
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
        server.serve(LabelerContract.METRICS_PATH, exchange -> {
            if (allowGet(exchange)) {
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
            }
        });
        server.serve("/", exchange -> respond(exchange, 404, "text/plain",
                "not found: " + exchange.getRequestURI().getPath() + " (serving " + LabelerContract.HEALTH_PATH
                        + " and " + LabelerContract.METRICS_PATH + ")\n"));
        server.start();
        return new HealthServer(server);
    }

    public int port() {
        return server.port();
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
        server.close();
    }
}
