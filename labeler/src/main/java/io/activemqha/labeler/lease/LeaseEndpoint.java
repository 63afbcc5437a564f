package io.activemqha.labeler.lease;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link LeaseContract}'s endpoint on the labeler's loopback-only lease server: the broker's lease locker acquires,
 * renews and releases the group's Lease through it. Only the pod itself may ask: a request from any other address is
 * refused, should the server ever be bound more widely.
 */
public final class LeaseEndpoint implements HttpHandler {
    private final LeaseKeeper keeper;
    private final String qualifiedLeaseName;
    // One lease request at a time: while the API server hangs, queued requests would only pile up behind it.
    private final AtomicBoolean busy = new AtomicBoolean();

    /** What to answer: decided while the request holds the endpoint, written after it let go. */
    private record Reply(int status, Map<String, String> headers, String text) {
    }

    /** @param qualifiedLeaseName {@code <namespace>/<name>} of the Lease, what the locker records in its store */
    public LeaseEndpoint(LeaseKeeper keeper, String qualifiedLeaseName) {
        this.keeper = keeper;
        this.qualifiedLeaseName = qualifiedLeaseName;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            respond(exchange, reply(exchange));
        }
    }

    private Reply reply(HttpExchange exchange) {
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
            return new Reply(LeaseContract.FORBIDDEN, Map.of(), "the lease endpoint serves this pod's broker only, over "
                    + "loopback; refused " + exchange.getRemoteAddress().getAddress().getHostAddress());
        }
        String method = exchange.getRequestMethod();
        if (!"POST".equals(method) && !"DELETE".equals(method)) {
            return new Reply(405, Map.of("Allow", "POST, DELETE"), "method " + method + " not allowed: POST acquires or "
                    + "renews the Lease, DELETE releases it");
        }
        String session = exchange.getRequestHeaders().getFirst(LeaseContract.HEADER_SESSION);
        if (session == null || session.isBlank()) {
            return new Reply(400, Map.of(), "missing header " + LeaseContract.HEADER_SESSION + ": the lease locker names "
                    + "its broker process in every request");
        }
        if (!busy.compareAndSet(false, true)) {
            return new Reply(LeaseContract.UNKNOWN, Map.of(), "a lease request is still waiting for the API server; not "
                    + "renewed");
        }
        try {
            return "POST".equals(method) ? answer(keeper.acquireOrRenew(session)) : release(session);
        } finally {
            busy.set(false);
        }
    }

    private Reply answer(LeaseAnswer answer) {
        if (answer instanceof LeaseAnswer.Held held) {
            return new Reply(LeaseContract.HELD, Map.of(
                    LeaseContract.HEADER_DURATION_MS, Long.toString(held.duration().toMillis()),
                    LeaseContract.HEADER_TAKEN_OVER, Boolean.toString(held.takenOver()),
                    LeaseContract.HEADER_LEASE_NAME, qualifiedLeaseName), "");
        }
        if (answer instanceof LeaseAnswer.HeldElsewhere elsewhere) {
            return new Reply(LeaseContract.HELD_ELSEWHERE, Map.of(LeaseContract.HEADER_HOLDER, elsewhere.holder()),
                    "held by " + elsewhere.holder());
        }
        return new Reply(LeaseContract.UNKNOWN, Map.of(), ((LeaseAnswer.Unknown) answer).reason());
    }

    private Reply release(String session) {
        try {
            keeper.release(session);
            return new Reply(LeaseContract.RELEASED, Map.of(), "");
        } catch (LeaseStore.LeaseStoreException e) {
            return new Reply(LeaseContract.UNKNOWN, Map.of(), e.getMessage());
        }
    }

    private static void respond(HttpExchange exchange, Reply reply) throws IOException {
        byte[] body = reply.text().isEmpty() ? new byte[0] : (reply.text() + "\n").getBytes(StandardCharsets.UTF_8);
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
