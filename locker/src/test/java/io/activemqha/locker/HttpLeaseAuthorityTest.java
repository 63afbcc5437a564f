package io.activemqha.locker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The locker's side of {@link LeaseContract}, over real HTTP on loopback against a server answering as scripted. */
class HttpLeaseAuthorityTest {
    private HttpServer server;
    private final AtomicReference<Answer> answer = new AtomicReference<>();
    private final List<String> methods = new ArrayList<>();
    private final List<String> sessions = new ArrayList<>();
    private HttpLeaseAuthority authority;

    private record Answer(int status, Map<String, String> headers, String body, long delayMillis) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(LeaseContract.PATH, this::answer);
        server.start();
        authority = new HttpLeaseAuthority(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + LeaseContract.PATH));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        synchronized (methods) {
            methods.add(exchange.getRequestMethod());
            sessions.add(exchange.getRequestHeaders().getFirst(LeaseContract.HEADER_SESSION));
        }
        Answer scripted = answer.get();
        try {
            Thread.sleep(scripted.delayMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scripted.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] body = scripted.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(scripted.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @Test
    void heldWithItsDurationAndWhetherItWasTakenOver() throws IOException {
        answer.set(new Answer(200, Map.of(LeaseContract.HEADER_DURATION_MS, "15000", LeaseContract.HEADER_TAKEN_OVER,
                "true", LeaseContract.HEADER_LEASE_NAME, "brokers/activemq-ha-activemq"), "", 0));

        Grant grant = authority.acquireOrRenew("session-1", Duration.ofSeconds(1));

        assertThat(grant).isEqualTo(Grant.heldHere(Duration.ofSeconds(15), true, "brokers/activemq-ha-activemq"));
        assertThat(methods).containsExactly("POST");
        assertThat(sessions).as("the broker process asking").containsExactly("session-1");
    }

    @Test
    void heldElsewhereNamesTheHolder() throws IOException {
        answer.set(new Answer(409, Map.of(LeaseContract.HEADER_HOLDER, "activemq-1"), "", 0));

        assertThat(authority.acquireOrRenew("session-1", Duration.ofSeconds(1))).isEqualTo(Grant.heldBy("activemq-1"));
    }

    @Test
    void aLabelerThatCannotTellIsAnErrorWithItsReason() {
        answer.set(new Answer(503, Map.of(), "the API server is unreachable: connect timed out", 0));

        assertThatThrownBy(() -> authority.acquireOrRenew("session-1", Duration.ofSeconds(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("503").hasMessageContaining("the API server is unreachable");
    }

    @Test
    void aGrantWithoutADurationIsNotTrusted() {
        answer.set(new Answer(200, Map.of(), "", 0));

        assertThatThrownBy(() -> authority.acquireOrRenew("session-1", Duration.ofSeconds(1))).isInstanceOf(IOException.class)
                .hasMessageContaining(LeaseContract.HEADER_DURATION_MS);
    }

    @Test
    void aGrantWithoutTheLeaseNameIsNotTrusted() {
        answer.set(new Answer(200, Map.of(LeaseContract.HEADER_DURATION_MS, "15000"), "", 0));

        assertThatThrownBy(() -> authority.acquireOrRenew("session-1", Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class).hasMessageContaining(LeaseContract.HEADER_LEASE_NAME);
    }

    @Test
    void aSlowAnswerTimesOut() {
        answer.set(new Answer(200, Map.of(LeaseContract.HEADER_DURATION_MS, "15000"), "", 2_000));
        long start = System.nanoTime();

        assertThatThrownBy(() -> authority.acquireOrRenew("session-1", Duration.ofMillis(200))).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_500));
    }

    @Test
    void aMissingLabelerIsAnError() {
        server.stop(0);

        assertThatThrownBy(() -> authority.acquireOrRenew("session-1", Duration.ofSeconds(1))).isInstanceOf(IOException.class);
    }

    @Test
    void releaseDeletes() throws IOException {
        answer.set(new Answer(204, Map.of(), "", 0));

        authority.release("session-1", Duration.ofSeconds(1));

        assertThat(methods).containsExactly("DELETE");
        assertThat(sessions).containsExactly("session-1");
    }
}
