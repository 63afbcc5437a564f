package io.activemqha.labeler.chaos;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * A JMS client that goes through the leader as a Service would route it: it sends persistent messages, one at a
 * time, to the broker of the pod currently labeled {@code leader=yes} (no failover transport: a plain connection
 * that fails when that broker does). A send that returned is acknowledged (persistent sends are synchronous); a
 * failed or timed-out send is not counted. {@link #drain(String)} reads the queue back at the end.
 */
final class LeaderClient implements AutoCloseable {
    static final String QUEUE = "chaos.orders";
    private static final String SEQ = "seq";

    private final Supplier<Optional<String>> leaderUrl;
    private final Thread thread;
    private final Set<Long> acked = new HashSet<>();
    private final AtomicLong failedSends = new AtomicLong();
    private volatile boolean running = true;
    private String connectedUrl;
    private Connection connection;
    private MessageProducer producer;
    private Session session;

    LeaderClient(Supplier<Optional<String>> leaderUrl) {
        this.leaderUrl = leaderUrl;
        this.thread = new Thread(this::run, "chaos-jms-producer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    static ActiveMQConnectionFactory factory(String url) {
        // Bounded: a slave's bound-but-not-accepting socket must not hang the client.
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url + "?connectionTimeout=1000");
        factory.setConnectResponseTimeout(2_000);
        factory.setSendTimeout(3_000);
        factory.setCloseTimeout(1_000);
        factory.setWatchTopicAdvisories(false);
        return factory;
    }

    synchronized Set<Long> acked() {
        return Set.copyOf(acked);
    }

    long failedSends() {
        return failedSends.get();
    }

    private void run() {
        long seq = 0;
        while (running) {
            Optional<String> url = leaderUrl.get();
            if (url.isEmpty()) {
                pause(100);
                continue;
            }
            seq++;
            try {
                send(url.get(), seq);
                synchronized (this) {
                    acked.add(seq);
                }
            } catch (JMSException | RuntimeException e) {
                failedSends.incrementAndGet();
                disconnect();
                pause(100);
            }
            pause(20);
        }
        disconnect();
    }

    private void send(String url, long seq) throws JMSException {
        if (!url.equals(connectedUrl)) {
            disconnect();
            connection = factory(url).createConnection();
            connectedUrl = url;
            session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(session.createQueue(QUEUE));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
        }
        Message message = session.createTextMessage("order " + seq);
        message.setLongProperty(SEQ, seq);
        producer.send(message);
    }

    private void disconnect() {
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException | RuntimeException ignored) {
                // The broker is gone; nothing to close politely.
            }
        }
        connection = null;
        connectedUrl = null;
        session = null;
        producer = null;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops producing (the in-flight send finishes or fails first). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }

    /** Every sequence number on the queue of the broker at {@code url}, consumed until it stays empty for {@code quiet}. */
    static Set<Long> drain(String url, Duration quiet) throws JMSException {
        Set<Long> received = new HashSet<>();
        Connection connection = factory(url).createConnection();
        try {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(QUEUE));
            Message message;
            while ((message = consumer.receive(quiet.toMillis())) != null) {
                received.add(message.getLongProperty(SEQ));
            }
        } finally {
            connection.close();
        }
        return received;
    }
}
