package io.activemqha.labeler.probe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The cheap pre-check of a standby: a bare TCP connect to the broker's port, closed at once, no protocol bytes.
 * It cannot prove the broker active (see {@link BrokerProbe}: a bound socket completes TCP handshakes into its
 * backlog), only that it is not: a refused connect means the connectors are not started. So it runs often while
 * the port refuses, and an accepted connect is followed at once by the full {@link BrokerProbe}. A refused connect
 * on the pod's loopback costs microseconds and never reaches the broker process.
 */
public final class ConnectCheck {
    private final String host;
    private final int port;
    private final int timeoutMillis;

    /** @param timeout bound on one connect (the handshake timeout: a connect that neither succeeds nor fails) */
    public ConnectCheck(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** The check of the configured broker URL's host and port. */
    public static ConnectCheck forUrl(URI brokerUrl, Duration timeout) {
        return new ConnectCheck(brokerUrl.getHost(), brokerUrl.getPort(), timeout);
    }

    /**
     * One bounded connect attempt; never throws for network failures.
     *
     * @return empty when the port accepted the connection (closed again at once), otherwise why it did not, in the
     *         probe's words ({@code connection refused}, {@code connect timed out}, ...)
     */
    public Optional<String> refusal() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(Failures.describe(e));
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
