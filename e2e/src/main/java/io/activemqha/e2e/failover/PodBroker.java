package io.activemqha.e2e.failover;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;
import org.apache.activemq.broker.BrokerFactory;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import sun.misc.Signal;

/**
 * The broker container of a pod, as a process: ActiveMQ Classic configured from the pod's {@code activemq.xml}
 * (Spring/xbean, as {@code bin/activemq console} loads it), its paths translated through the container's mounts.
 * A slave blocks in {@code start()} on the shared KahaDB lock and opens no port until it holds it.
 *
 * <p>Standard output carries the lines the tests read: {@code ACTIVE <epoch ms>} once the broker has started (every
 * connector accepts), {@code STOPPED <epoch ms>} after an in-process stop. The OpenWire connector is started last,
 * so the broker's own log line "Connector openwire started" marks the moment every protocol accepts. SIGUSR1 ({@link #TOGGLE_SIGNAL}) stops an active broker
 * cleanly and starts it again in the same process, which then waits for the lock as a slave: a broker restart
 * inside a still-running container.
 *
 * <p>Arguments: {@code <config path in the container> <containerPath=hostPath>...}.
 */
public final class PodBroker {
    /** Printed with the epoch millisecond at which the broker has started as the master. */
    public static final String ACTIVE = "ACTIVE";
    /**
     * The signal that stops an active broker in its running process, and starts it again after {@link #STOPPED}.
     * Not SIGHUP: a JVM started with SIGHUP ignored (anything run under nohup, which every child inherits) never gets
     * a handler for it, and the signal is silently lost; nothing ignores SIGUSR1, which HotSpot leaves free.
     */
    public static final String TOGGLE_SIGNAL = "USR1";
    /** Printed with the epoch millisecond at which an in-process stop completed. */
    public static final String STOPPED = "STOPPED";
    // The ws connector needs activemq-http (Jetty), which Maven Central does not serve for 6.3.1 here.
    private static final Pattern WS_CONNECTOR = Pattern.compile("<transportConnector name=\"ws\"[^>]*/>");
    private static final String OPENWIRE = "openwire";
    private static final String LOG_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    /** The broker's log line once its OpenWire connector (started last) accepts. */
    public static final String OPENWIRE_STARTED = "Connector " + OPENWIRE + " started";

    private PodBroker() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PodBroker <activemq.xml path in the container> <containerPath=hostPath>...");
            System.exit(2);
        }
        // Millisecond timestamps with offset in the broker's log: the tests read "Connector openwire started" from it.
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", LOG_TIME_FORMAT);
        // Each lock attempt of a slave, with its interval, for the failover timeline.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.activemq.store.SharedFileLocker", "debug");
        ContainerFilesystem filesystem = ContainerFilesystem.parse(Arrays.asList(args).subList(1, args.length));
        Semaphore restart = new Semaphore(0);
        Signal.handle(new Signal(TOGGLE_SIGNAL), signal -> restart.release());
        while (true) {
            // Rendered for each start and deleted once loaded: this process ends by SIGKILL, no exit hook would run.
            Path config = render(filesystem, args[0]);
            BrokerService broker;
            try {
                broker = load(config);
            } finally {
                Files.deleteIfExists(config);
            }
            broker.start();
            broker.waitUntilStarted();
            // A signal from before the start counts for nothing; one sent after ACTIVE (a test reacting to it at once)
            // must stop this broker: drain first, announce second.
            restart.drainPermits();
            announce(ACTIVE);
            restart.acquire();
            broker.stop();
            broker.waitUntilStopped();
            announce(STOPPED);
            // Stay stopped until the next signal, so a test can let the peer take the lock first.
            restart.acquire();
        }
    }

    /** The configuration with the container's paths translated and the unavailable ws connector removed. */
    static Path render(ContainerFilesystem filesystem, String configPath) throws IOException {
        String xml = Files.readString(filesystem.resolve(configPath));
        String rendered = WS_CONNECTOR.matcher(filesystem.translate(xml)).replaceAll(
                "<!-- ws connector removed by the e2e broker launcher: activemq-http is not available -->");
        Path file = Files.createTempFile("activemq-", ".xml");
        return Files.writeString(file, rendered);
    }

    private static BrokerService load(Path config) throws Exception {
        BrokerFactory.setStartDefault(false);
        BrokerService broker = BrokerFactory.createBroker(new URI("xbean:" + config.toAbsolutePath()));
        // Started last, so that "ACTIVE" means every protocol accepts.
        TransportConnector openwire = broker.getConnectorByName(OPENWIRE);
        if (openwire == null) {
            throw new IllegalStateException("the configuration has no transport connector named " + OPENWIRE);
        }
        broker.removeConnector(openwire);
        broker.addConnector(openwire);
        return broker;
    }

    static void announce(String event) {
        System.out.println(event + " " + System.currentTimeMillis());
        System.out.flush();
    }

    /** The parsed line {@code ACTIVE <ms>} / {@code STOPPED <ms>}, or null for any other line. */
    public static BrokerEvent parse(String line) {
        for (String event : List.of(ACTIVE, STOPPED)) {
            if (line.startsWith(event + " ")) {
                return new BrokerEvent(event, Long.parseLong(line.substring(event.length() + 1).trim()));
            }
        }
        return null;
    }

    /** What ActiveMQ's SharedFileLocker logs when the broker starts waiting for the lock as a slave. */
    public static final String SLAVE_MARKER = "now in slave mode";

    /** How often the broker logged waiting for the lock as a slave in {@code log} (which spans restarts). */
    public static long slaveAnnouncements(Path log) {
        try {
            if (!Files.exists(log)) {
                return 0;
            }
            return Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                    .filter(line -> line.contains(SLAVE_MARKER)).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The time at the start of a broker log line, if it has one. */
    public static java.util.Optional<Long> logTime(String line) {
        int space = line.indexOf(' ');
        try {
            return java.util.Optional.of(java.time.OffsetDateTime.parse(space < 0 ? line : line.substring(0, space))
                    .toInstant().toEpochMilli());
        } catch (java.time.format.DateTimeParseException notTimestamped) {
            return java.util.Optional.empty();
        }
    }

    /** A line of the broker's lifecycle on standard output. */
    public record BrokerEvent(String event, long epochMillis) {
    }
}
