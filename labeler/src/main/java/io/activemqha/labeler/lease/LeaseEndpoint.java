package io.activemqha.labeler.lease;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link LeaseContract}'s endpoint on the labeler's health port: the broker's lease locker acquires, renews and
 * releases the group's Lease through it. Only the pod itself may ask: the health port is reachable from the node
 * (the kubelet's probes), so requests from any other address are refused.
 */
public final class LeaseEndpoint implements HttpHandler {
    private final LeaseKeeper keeper;
    // One lease request at a time: while the API server hangs, queued requests would hold every thread of the health
    // port, and the kubelet's liveness probe would fail behind them.
    private final AtomicBoolean busy = new AtomicBoolean();

    public LeaseEndpoint(LeaseKeeper keeper) {
        this.keeper = keeper;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
                respond(exchange, LeaseContract.FORBIDDEN, "the lease endpoint serves this pod's broker only, over "
                        + "loopback; refused " + exchange.getRemoteAddress().getAddress().getHostAddress());
                return;
            }
            if (!busy.compareAndSet(false, true)) {
                respond(exchange, LeaseContract.UNKNOWN, "a lease request is still waiting for the API server; not renewed");
                return;
            }
            try {
                serve(exchange);
            } finally {
                busy.set(false);
            }
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        switch (exchange.getRequestMethod()) {
            case "POST" -> answer(exchange, keeper.acquireOrRenew());
            case "DELETE" -> release(exchange);
            default -> {
                exchange.getResponseHeaders().set("Allow", "POST, DELETE");
                respond(exchange, 405, "method " + exchange.getRequestMethod() + " not allowed: POST acquires or "
                        + "renews the Lease, DELETE releases it");
            }
        }
    }

    private void answer(HttpExchange exchange, LeaseAnswer answer) throws IOException {
        if (answer instanceof LeaseAnswer.Held held) {
            exchange.getResponseHeaders().set(LeaseContract.HEADER_DURATION_MS, Long.toString(held.duration().toMillis()));
            exchange.getResponseHeaders().set(LeaseContract.HEADER_TAKEN_OVER, Boolean.toString(held.takenOver()));
            respond(exchange, LeaseContract.HELD, "");
        } else if (answer instanceof LeaseAnswer.HeldElsewhere elsewhere) {
            exchange.getResponseHeaders().set(LeaseContract.HEADER_HOLDER, elsewhere.holder());
            respond(exchange, LeaseContract.HELD_ELSEWHERE, "held by " + elsewhere.holder());
        } else {
            respond(exchange, LeaseContract.UNKNOWN, ((LeaseAnswer.Unknown) answer).reason());
        }
    }

    private void release(HttpExchange exchange) throws IOException {
        try {
            keeper.release();
            respond(exchange, LeaseContract.RELEASED, "");
        } catch (LeaseStore.LeaseStoreException e) {
            respond(exchange, LeaseContract.UNKNOWN, e.getMessage());
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.isEmpty() ? new byte[0] : (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
