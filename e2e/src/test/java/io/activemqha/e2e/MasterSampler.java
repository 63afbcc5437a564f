package io.activemqha.e2e;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.activemq.command.ConnectionId;
import org.apache.activemq.command.ConnectionInfo;
import org.apache.activemq.command.ExceptionResponse;
import org.apache.activemq.command.Response;
import org.apache.activemq.command.ShutdownInfo;
import org.apache.activemq.command.WireFormatInfo;
import org.apache.activemq.openwire.OpenWireFormat;
import org.apache.activemq.openwire.OpenWireFormatFactory;

/**
 * Samples which brokers accept clients, directly at each pod's address (not through the Service): every
 * {@value #PERIOD_MS} ms, every broker is dialled on each of the transports the clients use, all at once, and asked
 * for a session at the protocol level: a STOMP CONNECT answered CONNECTED, an MQTT CONNECT answered by a CONNACK that
 * accepts, an OpenWire ConnectionInfo answered by a Response that is no ExceptionResponse. A broker that answers one of
 * them within {@value #ANSWER_MS} ms accepts clients in that round. A stopped (SIGSTOP) process's socket still completes
 * the TCP handshake in the kernel, and a fenced broker refuses or closes the session (LeaseFencePlugin), so only the
 * protocol's answer counts. Never two brokers in one round is the invariant.
 *
 * <p>Brokers are keyed {@code <pod name>@<pod IP>}: a StatefulSet's pod recreated under the same name is another
 * broker. A pod that disappears from the API (deleted, force-deleted) is dialled on for {@value #RETAIN_MS} ms at
 * its last address, since its processes may outlive its API object, unless a new pod gets that address.
 */
final class MasterSampler implements AutoCloseable {
    static final int PERIOD_MS = 200;
    static final int ANSWER_MS = 500;
    /** How long the address of a pod gone from the API is still dialled. */
    static final long RETAIN_MS = 30_000;
    static final List<String> TRANSPORTS = List.of("stomp", "mqtt", "openwire");

    /**
     * One round: when it started (epoch ms), the brokers ({@code name@ip}) that accepted clients, and on which
     * transports.
     */
    record Sample(long epochMillis, Set<String> accepting, Map<String, Set<String>> transports) {
        /** Whether the broker of pod {@code pod} (any address it had) accepted in this round. */
        boolean accepted(String pod) {
            return accepting.stream().anyMatch(key -> podOf(key).equals(pod));
        }
    }

    private static final long REFRESH_MS = 1000;
    private static final AtomicLong PROBES = new AtomicLong();

    private final Supplier<Map<String, String>> pods;
    private volatile Map<String, String> addressOfBroker = Map.of();
    /** Keys of pods gone from the API, with when they were last listed. */
    private final Map<String, Long> vanished = new HashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    // Never a queue: a probe waiting for a thread would count its broker as not accepting.
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "master-sampler-probe");
        t.setDaemon(true);
        return t;
    });
    private final Thread thread;
    private final Thread refresher;
    private volatile boolean running = true;

    private MasterSampler(Supplier<Map<String, String>> pods) {
        this.pods = pods;
        this.thread = new Thread(this::loop, "master-sampler");
        this.thread.setDaemon(true);
        this.refresher = new Thread(this::refresh, "master-sampler-pods");
        this.refresher.setDaemon(true);
    }

    /**
     * Starts sampling the brokers of the pods {@code pods} names (pod name to pod IP; terminating pods included), asked
     * again every second, so replaced pods are followed; while it cannot be asked (the API server stopped), the last
     * answer is used.
     */
    static MasterSampler start(Supplier<Map<String, String>> pods) {
        MasterSampler sampler = new MasterSampler(pods);
        sampler.update(pods.get());
        sampler.refresher.start();
        sampler.thread.start();
        return sampler;
    }

    /** The pod name of a broker key {@code name@ip}. */
    static String podOf(String key) {
        int at = key.lastIndexOf('@');
        return at < 0 ? key : key.substring(0, at);
    }

    private void loop() {
        while (running) {
            long started = System.currentTimeMillis();
            Map<String, List<Future<Boolean>>> answers = new LinkedHashMap<>();
            addressOfBroker.forEach((key, address) -> {
                List<Future<Boolean>> perTransport = new ArrayList<>();
                perTransport.add(probes.submit(() -> stomp(address)));
                perTransport.add(probes.submit(() -> mqtt(address)));
                perTransport.add(probes.submit(() -> openwire(address)));
                answers.put(key, perTransport);
            });
            Set<String> accepting = new TreeSet<>();
            Map<String, Set<String>> transports = new TreeMap<>();
            answers.forEach((key, perTransport) -> {
                for (int i = 0; i < perTransport.size(); i++) {
                    if (answered(perTransport.get(i))) {
                        accepting.add(key);
                        transports.computeIfAbsent(key, k -> new TreeSet<>()).add(TRANSPORTS.get(i));
                    }
                }
            });
            synchronized (samples) {
                samples.add(new Sample(started, Set.copyOf(accepting), Map.copyOf(transports)));
            }
            long rest = PERIOD_MS - (System.currentTimeMillis() - started);
            if (rest > 0) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static boolean answered(Future<Boolean> answer) {
        try {
            return answer.get(ANSWER_MS * 3L, TimeUnit.MILLISECONDS);
        } catch (Exception noAnswer) {
            answer.cancel(true);
            return false;
        }
    }

    /** A STOMP session: CONNECTED (an ERROR frame, a refused or silent connection: not accepting). */
    private static boolean stomp(String address) {
        try (StompConnection ignored = StompConnection.open(address, ClientTraffic.STOMP_PORT, ANSWER_MS, ANSWER_MS)) {
            return true;
        } catch (IOException notAccepting) {
            return false;
        }
    }

    /** An MQTT 3.1.1 session (clean, no will): a CONNACK with return code 0, then DISCONNECT. */
    private static boolean mqtt(String address) {
        try (Socket socket = connect(address, ClientTraffic.MQTT_PORT)) {
            byte[] clientId = ("sampler-" + PROBES.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30};
            int remaining = variable.length + 2 + clientId.length;
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {0x10, (byte) remaining});
            out.write(variable);
            out.write(new byte[] {(byte) (clientId.length >> 8), (byte) clientId.length});
            out.write(clientId);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] connack = in.readNBytes(4);
            boolean accepted = connack.length == 4 && connack[0] == 0x20 && connack[1] == 2 && connack[3] == 0;
            if (accepted) {
                out.write(new byte[] {(byte) 0xE0, 0});
                out.flush();
            }
            return accepted;
        } catch (IOException notAccepting) {
            return false;
        }
    }

    /**
     * An OpenWire connection: both sides' WireFormatInfo, then a ConnectionInfo that the broker must answer with a
     * Response (an ExceptionResponse is a refusal), then ShutdownInfo.
     */
    private static boolean openwire(String address) {
        try (Socket socket = connect(address, EndpointClient.OPENWIRE_PORT)) {
            long deadline = System.currentTimeMillis() + ANSWER_MS;
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OpenWireFormat format = (OpenWireFormat) new OpenWireFormatFactory().createWireFormat();
            format.marshal(format.getPreferedWireFormatInfo(), out);
            out.flush();
            Object first = format.unmarshal(in);
            if (!(first instanceof WireFormatInfo brokerFormat)) {
                return false;
            }
            format.renegotiateWireFormat(brokerFormat);
            ConnectionInfo connection = new ConnectionInfo(new ConnectionId("sampler-" + PROBES.incrementAndGet()));
            connection.setClientId(connection.getConnectionId().getValue());
            connection.setCommandId(1);
            connection.setResponseRequired(true);
            format.marshal(connection, out);
            out.flush();
            while (System.currentTimeMillis() < deadline) {
                Object command = format.unmarshal(in);
                if (command instanceof Response response && response.getCorrelationId() == 1) {
                    if (response instanceof ExceptionResponse) {
                        return false;
                    }
                    ShutdownInfo shutdown = new ShutdownInfo();
                    shutdown.setCommandId(2);
                    format.marshal(shutdown, out);
                    out.flush();
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException notAccepting) {
            return false;
        }
    }

    private static Socket connect(String address, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(address, port), ANSWER_MS);
            socket.setSoTimeout(ANSWER_MS);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Follows pod replacements on its own thread: a stopped API server must not stall the sampling. */
    private void refresh() {
        while (running) {
            try {
                update(pods.get());
            } catch (RuntimeException apiUnavailable) {
                // Keep sampling the pods last known.
            }
            try {
                Thread.sleep(REFRESH_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void update(Map<String, String> listed) {
        long now = System.currentTimeMillis();
        Map<String, String> next = new TreeMap<>();
        listed.forEach((pod, address) -> next.put(pod + "@" + address, address));
        Set<String> listedAddresses = Set.copyOf(listed.values());
        addressOfBroker.keySet().stream().filter(key -> !next.containsKey(key))
                .forEach(key -> vanished.putIfAbsent(key, now));
        vanished.keySet().removeIf(key -> next.containsKey(key) || now - vanished.get(key) > RETAIN_MS
                || listedAddresses.contains(address(key)));
        vanished.keySet().forEach(key -> next.put(key, address(key)));
        addressOfBroker = Map.copyOf(next);
    }

    private static String address(String key) {
        return key.substring(key.lastIndexOf('@') + 1);
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The rounds in which more than one broker accepted clients. */
    List<Sample> overlaps() {
        return samples().stream().filter(s -> s.accepting().size() > 1).toList();
    }

    /** The rounds at or after {@code sinceMillis} in which more than one broker accepted clients. */
    List<Sample> overlapsSince(long sinceMillis) {
        return overlaps().stream().filter(s -> s.epochMillis() >= sinceMillis).toList();
    }

    /** The first round at or after {@code sinceMillis} in which {@code pod}'s broker accepted. */
    Optional<Long> firstAccepting(String pod, long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis && s.accepted(pod))
                .map(Sample::epochMillis).findFirst();
    }

    /** The first round at or after {@code sinceMillis} in which any broker accepted. */
    Optional<Sample> firstAcceptingAny(long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis && !s.accepting().isEmpty()).findFirst();
    }

    /** The last round in [{@code fromMillis}, {@code toMillis}) in which {@code pod}'s broker accepted. */
    Optional<Long> lastAccepting(String pod, long fromMillis, long toMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= fromMillis && s.epochMillis() < toMillis
                && s.accepted(pod)).map(Sample::epochMillis).max(Long::compare);
    }

    /** The rounds at or after {@code sinceMillis} in which {@code pod}'s broker accepted. */
    long acceptingRounds(String pod, long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis && s.accepted(pod)).count();
    }

    /** The rounds at or after {@code sinceMillis} in which the broker at {@code address} accepted. */
    long acceptingRoundsAt(String address, long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis
                && s.accepting().stream().anyMatch(key -> address(key).equals(address))).count();
    }

    /** The rounds at or after {@code sinceMillis}. */
    long rounds(long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis).count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        refresher.interrupt();
        thread.join(5000);
        refresher.join(5000);
        probes.shutdownNow();
    }
}
