package io.activemqha.labeler.probe;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.activemq.command.BrokerInfo;
import org.apache.activemq.command.ConnectionError;
import org.apache.activemq.command.ShutdownInfo;
import org.apache.activemq.transport.Transport;
import org.apache.activemq.transport.TransportFactory;
import org.apache.activemq.transport.TransportListener;
import org.apache.activemq.util.URISupport;

/**
 * OpenWire probe on activemq-client's transport layer: connect (bounded), exchange WireFormatInfo and wait
 * for the BrokerInfo the broker sends once the negotiation is done. That completes the handshake, so the
 * broker is active; no ConnectionInfo is sent, hence no credentials are needed and brokers with
 * authentication are detected too. No failover transport and no reconnect: one plain transport per probe.
 * On success the transport is kept open as a {@link LiveConnection}; its inactivity monitor catches a
 * broker that hangs without closing the socket.
 */
public final class OpenWireProbe implements BrokerProbe {
    private final URI transportUri;
    private final Duration handshakeTimeout;

    public OpenWireProbe(URI brokerUrl, Duration handshakeTimeout, Duration inactivityTimeout) {
        this.handshakeTimeout = handshakeTimeout;
        this.transportUri = transportUri(brokerUrl, handshakeTimeout, inactivityTimeout);
    }

    /** The URI actually dialled: the configured one plus bounded connect and inactivity settings (pure). */
    static URI transportUri(URI brokerUrl, Duration handshakeTimeout, Duration inactivityTimeout) {
        try {
            Map<String, String> params = new LinkedHashMap<>(URISupport.parseParameters(brokerUrl));
            params.put("connectionTimeout", Long.toString(handshakeTimeout.toMillis()));
            params.putIfAbsent("wireFormat.maxInactivityDuration", Long.toString(inactivityTimeout.toMillis()));
            params.putIfAbsent("wireFormat.maxInactivityDurationInitalDelay", Long.toString(inactivityTimeout.toMillis()));
            return URISupport.createRemainingURI(URISupport.removeQuery(brokerUrl), new LinkedHashMap<>(params));
        } catch (Exception e) {
            throw new IllegalArgumentException("broker URL " + brokerUrl + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ProbeResult probe() {
        long deadline = System.nanoTime() + handshakeTimeout.toNanos();
        CompletableFuture<BrokerInfo> brokerInfo = new CompletableFuture<>();
        CompletableFuture<String> lost = new CompletableFuture<>();
        Transport transport;
        try {
            transport = TransportFactory.connect(transportUri);
        } catch (Exception e) {
            return new ProbeResult.Inactive(Failures.describe(e));
        }
        transport.setTransportListener(new Listener(brokerInfo, lost));
        KeptTransport kept = new KeptTransport(transport, lost);
        try {
            // start() connects (bounded by connectionTimeout) and sends our WireFormatInfo.
            transport.start();
            long remaining = deadline - System.nanoTime();
            BrokerInfo info = brokerInfo.get(Math.max(remaining, 1), TimeUnit.NANOSECONDS);
            return new ProbeResult.Active(new BrokerIdentity(info.getBrokerName(), String.valueOf(info.getBrokerId())),
                    Optional.of(kept));
        } catch (TimeoutException e) {
            kept.close();
            return new ProbeResult.Inactive("no OpenWire handshake within " + handshakeTimeout.toMillis()
                    + " ms (the socket accepts but the broker does not answer: a slave waiting for the lock, or a hung broker)");
        } catch (ExecutionException e) {
            kept.close();
            // The listener already completed it with a described reason.
            return new ProbeResult.Inactive(e.getCause().getMessage());
        } catch (InterruptedException e) {
            kept.close();
            Thread.currentThread().interrupt();
            return new ProbeResult.Inactive("probe interrupted");
        } catch (Exception e) {
            kept.close();
            return new ProbeResult.Inactive(Failures.describe(e));
        }
    }

    private record Listener(CompletableFuture<BrokerInfo> brokerInfo, CompletableFuture<String> lost)
            implements TransportListener {
        @Override
        public void onCommand(Object command) {
            if (command instanceof BrokerInfo info) {
                brokerInfo.complete(info);
            } else if (command instanceof ShutdownInfo) {
                fail("broker announced shutdown");
            } else if (command instanceof ConnectionError error) {
                fail("connection error from broker: " + Failures.describe(error.getException()));
            }
        }

        @Override
        public void onException(IOException error) {
            fail(Failures.describe(error));
        }

        private void fail(String reason) {
            brokerInfo.completeExceptionally(new IOException(reason));
            lost.complete(reason);
        }

        @Override
        public void transportInterupted() {
            fail("transport interrupted");
        }

        @Override
        public void transportResumed() {
            // No reconnecting transport is in the chain, so there is nothing to resume.
        }
    }

    private static final class KeptTransport implements LiveConnection {
        private final Transport transport;
        private final CompletableFuture<String> lost;
        private final AtomicBoolean closed = new AtomicBoolean();

        KeptTransport(Transport transport, CompletableFuture<String> lost) {
            this.transport = transport;
            this.lost = lost;
        }

        @Override
        public CompletionStage<String> lost() {
            return lost;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                lost.complete("closed by the labeler");
                try {
                    transport.stop();
                } catch (Exception ignored) {
                    // Closing a socket that is already gone: nothing to report.
                }
            }
        }
    }
}
