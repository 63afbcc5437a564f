package io.activemqha.locker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real ActiveMQ brokers on one KahaDB directory, each with a {@link LeaseLocker}; the Lease itself is the group's
 * one record, granted as the labelers grant it (to whoever asks while it is free, taken over by another pod only
 * when a test says the holder's renewals stopped). What is real: the broker's start blocking in the locker, its
 * keep-alive schedule, its stop when the locker says the Lease is gone, and the store handed over.
 */
class LeaseLockerBrokerTest {
    private static final Duration LEASE = Duration.ofMillis(1_500);
    /** Long enough for a keep-alive period of a minute: only the fence or the watchdog can then end mastership. */
    private static final Duration LONG_LEASE = Duration.ofSeconds(120);
    private static final String QUEUE = "lease.handover";
    private static final String LEASE_NAME = "brokers/activemq-ha-activemq";

    @TempDir
    Path store;
    private final GroupLease lease = new GroupLease();
    private BrokerService a;
    private BrokerService b;
    /** The halts the lockers asked for, by broker: in this JVM a halt is recorded, and ActiveMQ then stops the broker. */
    private final java.util.Map<String, Long> halts = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The group's Lease: one holder; a takeover is reported to the pod that made it until the test says the previous
     * holder is known to have stopped.
     */
    private static final class GroupLease {
        private String holder = "";
        private String takenOverBy = "";
        private boolean unreachable;
        private Duration duration = LEASE;

        synchronized Grant request(String pod) throws IOException {
            if (unreachable) {
                throw new IOException("the API server is unreachable");
            }
            if (holder.isEmpty()) {
                holder = pod;
            }
            if (!holder.equals(pod)) {
                return Grant.heldBy(holder);
            }
            return Grant.heldHere(duration, takenOverBy.equals(pod), LEASE_NAME);
        }

        /** {@code pod}'s labeler saw the holder's renewals stop for a Lease duration and took the Lease over. */
        synchronized void takeOver(String pod) {
            holder = pod;
            takenOverBy = pod;
        }

        /** The labeler learnt that the previous holder stopped (its kubelet confirmed the end of its pod). */
        synchronized void previousHolderStopped() {
            takenOverBy = "";
        }

        synchronized void release(String pod) {
            if (holder.equals(pod)) {
                holder = "";
            }
        }

        synchronized void unreachable(boolean value) {
            unreachable = value;
        }
    }

    private BrokerService broker(String pod, long keepAlivePeriod) throws IOException {
        return broker(pod, keepAlivePeriod, BootTicker.system(), false);
    }

    private BrokerService broker(String pod, long keepAlivePeriod, Ticker ticker, boolean fenced) throws IOException {
        BrokerService broker = new BrokerService();
        if (fenced) {
            broker.setPlugins(new BrokerPlugin[] {new LeaseFencePlugin()});
        }
        broker.setBrokerName(pod);
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setDataDirectoryFile(store.resolve(pod).toFile());
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(store.resolve("kahadb").toFile());
        kahaDb.setLockKeepAlivePeriod(keepAlivePeriod);
        LeaseLocker locker = new LeaseLocker(new LeaseAuthority() {
            @Override
            public Grant acquireOrRenew(String session, Duration timeout) throws IOException {
                return lease.request(pod);
            }

            @Override
            public void release(String session, Duration timeout) {
                lease.release(pod);
            }
        }, ticker, reason -> halts.putIfAbsent(pod, System.nanoTime()));
        locker.setLockAcquireSleepInterval(100);
        locker.setRequestTimeout(100);
        locker.setSafetyMargin(300);
        kahaDb.setLocker(locker);
        broker.setPersistenceAdapter(kahaDb);
        try {
            broker.addConnector("tcp://127.0.0.1:0");
        } catch (Exception e) {
            throw new IOException(e);
        }
        return broker;
    }

    @AfterEach
    void stopBrokers() throws Exception {
        for (BrokerService broker : new BrokerService[] {a, b}) {
            if (broker != null) {
                broker.stop();
                broker.waitUntilStopped();
            }
        }
    }

    @Test
    void theLeaseHolderIsMasterTheOtherWaitsAndATakeoverHandsTheStoreOver() throws Exception {
        a = broker("activemq-0", 200);
        a.start();
        assertThat(a.waitUntilStarted(10_000)).isTrue();
        send(a, "sent to activemq-0");

        b = broker("activemq-1", 200);
        CompletableFuture<Void> bStarted = CompletableFuture.runAsync(() -> {
            try {
                b.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1_000);
        assertThat(bStarted).as("activemq-1 waits while activemq-0 holds the Lease").isNotDone();
        assertThat(a.isStopped()).isFalse();

        long takeover = System.nanoTime();
        lease.takeOver("activemq-1");

        // activemq-0 learns at its next keep-alive that the Lease moved on, and halts.
        assertThat(stoppedWithin(a, 5_000)).isTrue();
        assertThat(halts).containsKey("activemq-0");
        assertThat(Duration.ofNanos(halts.get("activemq-0") - takeover)).as("old master halted")
                .isLessThan(Duration.ofSeconds(2));
        Thread.sleep(LEASE.toMillis());
        assertThat(bStarted).as("the new master waits while its labeler does not know the previous holder stopped")
                .isNotDone();
        lease.previousHolderStopped();
        bStarted.get(20, TimeUnit.SECONDS);
        assertThat(b.isStarted()).isTrue();
        assertThat(halts).doesNotContainKey("activemq-1");
        assertThat(receive(b)).as("the store, handed over").isEqualTo("sent to activemq-0");
    }

    @Test
    void aMasterThatCannotRenewIsHaltedTheLeaseDurationMinusTheMarginAfterItsLastRenewal() throws Exception {
        a = broker("activemq-0", 200);
        a.start();
        assertThat(a.waitUntilStarted(10_000)).isTrue();

        long cut = System.nanoTime();
        lease.unreachable(true);

        assertThat(stoppedWithin(a, 10_000)).isTrue();
        Duration after = Duration.ofNanos(halts.get("activemq-0") - cut);
        // The last confirmed renewal was sent at most one keep-alive period before the cut: 1.2 s - 0.2 s at least.
        // The watchdog halts at the deadline itself, not at the next keep-alive after it.
        assertThat(after).isGreaterThanOrEqualTo(LEASE.minusMillis(300 + 200)).isLessThan(LEASE.minusMillis(300).plusMillis(500));
    }

    @Test
    void aCleanStopReleasesTheLeaseSoTheNextBrokerStartsWithoutWaiting() throws Exception {
        a = broker("activemq-0", 200);
        a.start();
        assertThat(a.waitUntilStarted(10_000)).isTrue();
        a.stop();
        a.waitUntilStopped();

        b = broker("activemq-1", 200);
        long start = System.nanoTime();
        b.start();
        assertThat(b.waitUntilStarted(10_000)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LEASE);
    }

    /**
     * A master resumed after its Lease ran out (its process stopped, its clock moved on) must not serve before its next
     * keep-alive: with the fence, a send on an open connection and a new connection are both refused (OpenWire clients
     * get the refusal; MQTT ones would lose the connection instead) and nothing is stored;
     * the keep-alive period is a minute, so only the fence can be what refuses. The store, opened by the next broker,
     * holds only what was sent while the Lease held.
     */
    @Test
    void aMasterWhoseLeaseRanOutIsFencedBeforeItsNextKeepAlive() throws Exception {
        FakeTicker clock = new FakeTicker();
        lease.duration = LONG_LEASE;
        a = broker("activemq-0", 60_000, clock, true);
        a.start();
        assertThat(a.waitUntilStarted(10_000)).isTrue();
        send(a, "while the Lease holds");
        Connection open = new ActiveMQConnectionFactory(url(a)).createConnection();
        try {
            Session session = open.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);

            clock.advanceMillis(LONG_LEASE.toMillis());

            assertThatThrownBy(() -> producer.send(session.createTextMessage("on an open connection")))
                    .hasStackTraceContaining("Lease is not confirmed");
            assertThatThrownBy(() -> send(a, "on a new connection")).hasStackTraceContaining("Lease is not confirmed");
            assertThat(a.isStopped()).as("no keep-alive has run yet").isFalse();
            assertThat(haltedWithin("activemq-0", 2_000)).as("the watchdog halts the process as soon as it runs").isTrue();
        } finally {
            open.close();
        }
        a.stop();
        a.waitUntilStopped();
        lease.release("activemq-0");
        lease.duration = LEASE;
        b = broker("activemq-1", 200);
        b.start();
        assertThat(b.waitUntilStarted(10_000)).isTrue();
        assertThat(receive(b)).isEqualTo("while the Lease holds");
        assertThat(receive(b)).as("nothing refused was stored").isNull();
    }

    @Test
    void withoutTheFenceAMasterWhoseLeaseRanOutServesUntilItsNextKeepAlive() throws Exception {
        FakeTicker clock = new FakeTicker();
        lease.duration = LONG_LEASE;
        a = broker("activemq-0", 60_000, clock, false);
        a.start();
        assertThat(a.waitUntilStarted(10_000)).isTrue();
        clock.advanceMillis(LONG_LEASE.toMillis());

        send(a, "the window the fence closes");
        assertThat(receive(a)).isEqualTo("the window the fence closes");
    }

    /** Two HA groups on one claim: the second group's broker holds its own Lease, and the store refuses it. */
    @Test
    void aStoreGuardedByAnotherGroupsLeaseRefusesTheBrokerAndSaysWhy() throws Exception {
        a = broker("activemq-0", 200);
        a.start();
        assertThat(a.waitUntilStarted(10_000)).isTrue();
        assertThat(store.resolve("kahadb").resolve(StoreLeaseRecord.FILE_NAME)).hasContent(LEASE_NAME);
        a.stop();
        a.waitUntilStopped();
        java.nio.file.Files.writeString(store.resolve("kahadb").resolve(StoreLeaseRecord.FILE_NAME),
                "brokers/activemq-ha-other-group\n");

        b = broker("activemq-1", 200);
        assertThatThrownBy(b::start).hasStackTraceContaining("guarded by Lease brokers/activemq-ha-other-group")
                .hasStackTraceContaining("two HA groups must not share one store");
        assertThat(lease.holder).as("the refused broker's Lease is released").isEmpty();
    }

    @Test
    void withoutAKeepAlivePeriodTheBrokerRefusesToStartAndSaysWhy() throws Exception {
        a = broker("activemq-0", 0);

        assertThatThrownBy(a::start).hasStackTraceContaining("lockKeepAlivePeriod > 0");
        assertThat(lease.holder).isEmpty();
    }

    private boolean haltedWithin(String pod, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!halts.containsKey(pod) && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        return halts.containsKey(pod);
    }

    private static boolean stoppedWithin(BrokerService broker, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!broker.isStopped() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        return broker.isStopped();
    }

    private static String url(BrokerService broker) throws Exception {
        URI connect = broker.getTransportConnectors().get(0).getConnectUri();
        return "tcp://127.0.0.1:" + connect.getPort();
    }

    private static void send(BrokerService broker, String text) throws Exception {
        Connection connection = new ActiveMQConnectionFactory(url(broker)).createConnection();
        try {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            producer.send(session.createTextMessage(text));
        } finally {
            connection.close();
        }
    }

    private static String receive(BrokerService broker) throws Exception {
        Connection connection = new ActiveMQConnectionFactory(url(broker)).createConnection();
        try {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TextMessage message = (TextMessage) session.createConsumer(session.createQueue(QUEUE)).receive(10_000);
            return message == null ? null : message.getText();
        } finally {
            connection.close();
        }
    }
}
