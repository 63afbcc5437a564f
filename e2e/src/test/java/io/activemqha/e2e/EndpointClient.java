package io.activemqha.e2e;

import io.activemqha.e2e.failover.ServiceView;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * An OpenWire client of the Service: it resolves the Service to the ready address of its EndpointSlices (no
 * kube-proxy runs here, so it resolves like a client-side resolver) and talks to port 61616 there.
 */
final class EndpointClient {
    static final int OPENWIRE_PORT = 61616;
    private static final String PROBE_QUEUE = "failover.probe";
    private static final long PAUSE_MS = 50;
    private static final long RECEIVE_MS = 5000;

    private final ServiceView view;
    private final AtomicLong sequence = new AtomicLong();

    EndpointClient(ServiceView view) {
        this.view = view;
    }

    static String url(String address) {
        // No reconnect here: each attempt is one plain connection to one resolved address.
        return "tcp://" + address + ":" + OPENWIRE_PORT + "?connectionTimeout=2000&soTimeout=10000"
                + "&wireFormat.maxInactivityDurationInitalDelay=10000";
    }

    /** Whether a broker at {@code address} completes an OpenWire connection (handshake and ConnectionInfo). */
    boolean handshake(String address) {
        try {
            Connection connection = new ActiveMQConnectionFactory(url(address)).createConnection();
            try {
                connection.start();
                return true;
            } finally {
                connection.close();
            }
        } catch (JMSException refused) {
            return false;
        }
    }

    /**
     * Tries, every {@value #PAUSE_MS} ms, a persistent send and its receive through the currently resolved endpoint
     * and returns when the first succeeded (epoch ms); sends the broker acknowledged are entered in {@code ledger}.
     */
    long firstRoundTrip(long sinceMillis, MessageLedger ledger, Duration timeout) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        String lastFailure = "no attempt";
        while (System.currentTimeMillis() < deadline) {
            Set<String> endpoints = view.current().endpoints();
            if (endpoints.size() == 1) {
                try {
                    roundTrip(endpoints.iterator().next(), ledger);
                    return Math.max(System.currentTimeMillis(), sinceMillis);
                } catch (JMSException e) {
                    lastFailure = endpoints + ": " + e;
                }
            } else {
                lastFailure = "endpoints " + endpoints;
            }
            pause();
        }
        throw new IllegalStateException("no successful round trip through the Service within " + timeout
                + "; last: " + lastFailure);
    }

    private void roundTrip(String address, MessageLedger ledger) throws JMSException {
        Connection connection = new ActiveMQConnectionFactory(url(address)).createConnection();
        try {
            connection.start();
            Session session = connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Queue queue = session.createQueue(PROBE_QUEUE);
            MessageProducer producer = session.createProducer(queue);
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            String id = "probe-" + sequence.incrementAndGet();
            producer.send(session.createTextMessage(id));
            ledger.acknowledged(id);
            MessageConsumer consumer = session.createConsumer(queue);
            long deadline = System.currentTimeMillis() + RECEIVE_MS;
            while (System.currentTimeMillis() < deadline) {
                Message message = consumer.receive(RECEIVE_MS);
                if (message == null) {
                    break;
                }
                String text = ((TextMessage) message).getText();
                ledger.received(text);
                message.acknowledge();
                if (text.equals(id)) {
                    return;
                }
            }
            throw new JMSException("sent " + id + " to " + address + " but did not receive it");
        } finally {
            try {
                connection.close();
            } catch (JMSException ignored) {
                // the broker went away; nothing to release
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
