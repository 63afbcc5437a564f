package io.activemqha.e2e;

import io.activemqha.e2e.failover.ServiceView;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Persistent traffic of three protocols through the Service while brokers fail over: a STOMP producer/consumer
 * (frame-level, receipts and client-individual acks), an MQTT QoS 1 publisher/subscriber (Eclipse Paho, persistent
 * session) and an OpenWire JMS producer/consumer (the failover: transport over both pods' addresses). STOMP and MQTT
 * re-resolve the Service's endpoint after every connection loss; a send counts as acknowledged only once the broker
 * confirmed it (RECEIPT, PUBACK, synchronous persistent send).
 */
final class ClientTraffic implements AutoCloseable {
    static final int STOMP_PORT = 61613;
    static final int MQTT_PORT = 1883;
    private static final long SEND_PAUSE_MS = 25;
    private static final long MQTT_TIMEOUT_MS = 10_000;
    private static final long RECONNECT_PAUSE_MS = 100;

    private final Supplier<String> address;
    private final List<String> openwireAddresses;
    private final Map<String, MessageLedger> ledgers = Map.of("stomp", new MessageLedger(), "mqtt",
            new MessageLedger(), "openwire", new MessageLedger());
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicBoolean consuming = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final List<Thread> producers = new ArrayList<>();
    private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * @param address           where STOMP and MQTT connect, asked again after every connection loss (the
     *                          Service's ClusterIP, or its one ready endpoint as a client-side resolver sees it)
     * @param openwireAddresses the hosts of OpenWire's failover: transport, in order
     */
    ClientTraffic(Supplier<String> address, List<String> openwireAddresses) {
        this.address = address;
        this.openwireAddresses = List.copyOf(openwireAddresses);
    }

    /** Clients that find the broker from the Service's endpoints and fail over across every pod's address. */
    static ClientTraffic throughEndpoints(ServiceView view, List<String> podAddresses) {
        return new ClientTraffic(() -> {
            Set<String> endpoints = view.current().endpoints();
            if (endpoints.size() != 1) {
                throw new IllegalStateException("the Service has " + endpoints.size() + " ready endpoints: " + endpoints);
            }
            return endpoints.iterator().next();
        }, podAddresses);
    }

    /** Clients that only ever dial the Service's virtual IP, as clients in a cluster do. */
    static ClientTraffic throughClusterIp(String clusterIp) {
        return new ClientTraffic(() -> clusterIp, List.of(clusterIp));
    }

    Map<String, MessageLedger> ledgers() {
        return ledgers;
    }

    /** Starts consumers (subscriptions first, so nothing is published before they exist), then producers. */
    void start() throws Exception {
        String mqttSubscriber = "failover-subscriber";
        // A first session creates the persistent subscription before anything is published.
        MqttClient subscription = mqttClient(resolve(), mqttSubscriber);
        subscription.connect(mqttOptions(false));
        subscription.subscribe("failover/mqtt", 1);
        subscription.disconnect();
        subscription.close();

        spawn("stomp-consumer", this::stompConsumer);
        spawn("mqtt-subscriber", () -> mqttSubscriber(mqttSubscriber));
        spawn("openwire-consumer", this::openwireConsumer);
        producers.add(spawn("stomp-producer", this::stompProducer));
        producers.add(spawn("mqtt-publisher", this::mqttPublisher));
        producers.add(spawn("openwire-producer", this::openwireProducer));
    }

    /**
     * Stops the producers and waits for them to end (so no acknowledgement arrives later), then waits until every
     * acknowledged message was received or the timeout passed.
     */
    void drain(Duration timeout) throws InterruptedException {
        producing.set(false);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        for (Thread producer : producers) {
            producer.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (producer.isAlive()) {
                errors.add(producer.getName() + " did not stop within " + timeout);
            }
        }
        while (System.currentTimeMillis() < deadline && ledgers.values().stream().anyMatch(l -> l.lost() > 0)) {
            Thread.sleep(200);
        }
    }

    /** How many sends each protocol had acknowledged so far. */
    Map<String, Long> acknowledgedPerProtocol() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        ledgers.forEach((protocol, book) -> counts.put(protocol, book.acknowledgedCount()));
        return counts;
    }

    /** Waits until every protocol's producer had 20 more sends acknowledged than in {@code before}. */
    void awaitEveryProtocolAcknowledgedMore(Map<String, Long> before, Duration timeout) {
        Await.untilTrue("every protocol to send through the current master", timeout,
                () -> ledgers.entrySet().stream().allMatch(e ->
                        e.getValue().acknowledgedCount() >= before.getOrDefault(e.getKey(), 0L) + 20),
                () -> acknowledgedPerProtocol() + " acknowledged, before " + before + "; errors " + errors());
    }

    /**
     * Waits until every protocol's producer had a send acknowledged at or after {@code sinceNanos}
     * ({@link System#nanoTime}) and returns when each first was.
     */
    Map<String, Long> awaitEveryProtocolAcknowledgedSince(long sinceNanos, Duration timeout) {
        Await.untilTrue("every protocol to send through the current master", timeout,
                () -> ledgers.values().stream().allMatch(l -> l.firstAcknowledgedSince(sinceNanos).isPresent()),
                () -> acknowledgedPerProtocol() + " acknowledged; errors " + errors());
        Map<String, Long> first = new java.util.TreeMap<>();
        ledgers.forEach((protocol, book) -> first.put(protocol, book.firstAcknowledgedSince(sinceNanos).orElseThrow()));
        return first;
    }

    long acknowledged() {
        return ledgers.values().stream().mapToLong(MessageLedger::acknowledgedCount).sum();
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    // STOMP ---------------------------------------------------------------------------------------------------

    private void stompProducer() {
        AtomicLong sequence = new AtomicLong();
        MessageLedger ledger = ledgers.get("stomp");
        while (producing.get()) {
            try (StompConnection stomp = StompConnection.open(resolve(), STOMP_PORT)) {
                while (producing.get()) {
                    String id = "stomp-" + sequence.incrementAndGet();
                    stomp.sendPersistent("/queue/failover.stomp", id, "r-" + id);
                    ledger.acknowledged(id);
                    Thread.sleep(SEND_PAUSE_MS);
                }
            } catch (IOException | IllegalStateException lost) {
                pause();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void stompConsumer() {
        MessageLedger ledger = ledgers.get("stomp");
        while (consuming.get()) {
            try (StompConnection stomp = StompConnection.open(resolve(), STOMP_PORT)) {
                stomp.subscribe("/queue/failover.stomp", "1");
                while (consuming.get()) {
                    StompConnection.Frame message;
                    try {
                        message = stomp.read();
                    } catch (SocketTimeoutException idle) {
                        continue;
                    }
                    if (message.command().equals("MESSAGE")) {
                        ledger.received(message.body());
                        stomp.ack(message);
                    }
                }
            } catch (IOException | IllegalStateException lost) {
                pause();
            }
        }
    }

    // MQTT ----------------------------------------------------------------------------------------------------

    private void mqttPublisher() {
        AtomicLong sequence = new AtomicLong();
        MessageLedger ledger = ledgers.get("mqtt");
        while (producing.get()) {
            MqttClient client = null;
            try {
                client = mqttClient(resolve(), "failover-publisher");
                client.connect(mqttOptions(true));
                while (producing.get()) {
                    String id = "mqtt-" + sequence.incrementAndGet();
                    MqttMessage message = new MqttMessage(id.getBytes(StandardCharsets.UTF_8));
                    message.setQos(1);
                    client.publish("failover/mqtt", message); // returns once PUBACK arrived
                    ledger.acknowledged(id);
                    Thread.sleep(SEND_PAUSE_MS);
                }
            } catch (MqttException | IllegalStateException lost) {
                pause();
            } catch (InterruptedException e) {
                return;
            } finally {
                closeQuietly(client);
            }
        }
    }

    private void mqttSubscriber(String clientId) {
        MessageLedger ledger = ledgers.get("mqtt");
        while (consuming.get()) {
            MqttClient client = null;
            try {
                client = mqttClient(resolve(), clientId);
                AtomicBoolean lost = new AtomicBoolean();
                client.setCallback(new MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                        lost.set(true);
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {
                        ledger.received(new String(message.getPayload(), StandardCharsets.UTF_8));
                    }

                    @Override
                    public void deliveryComplete(IMqttDeliveryToken token) {
                    }
                });
                // Persistent session: the broker keeps QoS 1 messages for it while it is away.
                client.connect(mqttOptions(false));
                client.subscribe("failover/mqtt", 1);
                while (consuming.get() && !lost.get() && client.isConnected()) {
                    Thread.sleep(RECONNECT_PAUSE_MS);
                }
            } catch (MqttException | IllegalStateException e) {
                pause();
            } catch (InterruptedException e) {
                return;
            } finally {
                closeQuietly(client);
            }
        }
    }

    private static MqttClient mqttClient(String address, String clientId) throws MqttException {
        MqttClient client = new MqttClient("tcp://" + address + ":" + MQTT_PORT, clientId, new MemoryPersistence());
        // Paho waits for a PUBACK forever by default: a broker stopping mid-publish kept the publisher from ever
        // seeing the end of the run (LeaderChaosIT, seed 811450861897106515). A timed-out publish is not acknowledged.
        client.setTimeToWait(MQTT_TIMEOUT_MS);
        return client;
    }

    private static MqttConnectOptions mqttOptions(boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(cleanSession);
        options.setConnectionTimeout(2);
        options.setKeepAliveInterval(5);
        options.setAutomaticReconnect(false);
        return options;
    }

    private static void closeQuietly(MqttClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(100, 100);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // the broker went away
        }
    }

    // OpenWire ------------------------------------------------------------------------------------------------

    private String failoverUrl() {
        return openwireAddresses.stream().map(a -> "tcp://" + a + ":" + EndpointClient.OPENWIRE_PORT)
                .collect(java.util.stream.Collectors.joining(",", "failover:(", ")"))
                + "?randomize=false&initialReconnectDelay=100&maxReconnectDelay=1000&useExponentialBackOff=false";
    }

    private void openwireProducer() {
        AtomicLong sequence = new AtomicLong();
        MessageLedger ledger = ledgers.get("openwire");
        try {
            Connection connection = new ActiveMQConnectionFactory(failoverUrl()).createConnection();
            try {
                connection.start();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer producer = session.createProducer(session.createQueue("failover.openwire"));
                producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                while (producing.get()) {
                    String id = "openwire-" + sequence.incrementAndGet();
                    try {
                        producer.send(session.createTextMessage(id)); // synchronous: returns once stored
                        ledger.acknowledged(id);
                    } catch (JMSException notAcknowledged) {
                        // the failover transport gave up on this one send; the next one retries the connection
                    }
                    Thread.sleep(SEND_PAUSE_MS);
                }
            } finally {
                connection.close();
            }
        } catch (JMSException e) {
            errors.add("openwire producer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void openwireConsumer() {
        MessageLedger ledger = ledgers.get("openwire");
        try {
            Connection connection = new ActiveMQConnectionFactory(failoverUrl()).createConnection();
            try {
                connection.start();
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                var consumer = session.createConsumer(session.createQueue("failover.openwire"));
                while (consuming.get()) {
                    var message = consumer.receive(500);
                    if (message != null) {
                        ledger.received(((TextMessage) message).getText());
                    }
                }
            } finally {
                connection.close();
            }
        } catch (JMSException e) {
            errors.add("openwire consumer: " + e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private String resolve() {
        return address.get();
    }

    private Thread spawn(String name, Runnable loop) {
        Thread thread = new Thread(loop, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private static void pause() {
        try {
            Thread.sleep(RECONNECT_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        producing.set(false);
        consuming.set(false);
        for (Thread thread : threads) {
            thread.join(15_000);
        }
    }
}
