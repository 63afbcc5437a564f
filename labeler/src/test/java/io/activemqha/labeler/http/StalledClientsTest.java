package io.activemqha.labeler.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpExchange;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import io.activemqha.labeler.health.HealthServer;
import io.activemqha.labeler.health.LabelerMetrics;
import io.activemqha.labeler.health.LoopHeartbeats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The labeler's HTTP servers against clients that send a request in part and stop, or send it a byte at a time: over
 * real sockets on loopback, the stalled requests are renewed as soon as the server cuts them (as a client bent on
 * holding the server would), while a liveness probe or a lease renewal is sent every 100 ms, each of which must be
 * answered within a second.
 */
class StalledClientsTest {
    /** What the kubelet's probe and the locker's renewal get (the locker's default request timeout). */
    private static final long ANSWER_WITHIN_MILLIS = 1000;
    /** The JDK cuts a request {@link BoundedHttpServer#MAX_REQUEST_SECONDS} after its first byte, checked every tick. */
    private static final long CUT_WITHIN_MILLIS = BoundedHttpServer.MAX_REQUEST_SECONDS * 1000L
            + BoundedHttpServer.TIMER_MILLIS + 1000;
    private static final Duration ATTACK = Duration.ofSeconds(3);

    private final LoopHeartbeats heartbeats = new LoopHeartbeats(System::nanoTime);

    @ParameterizedTest(name = "{0} stalled requests on each port")
    @ValueSource(ints = {3, 20})
    void stalledRequestsDelayNeitherProbesNorRenewalsAndAreCutWithinTheLimit(int stalled) throws Exception {
        try (HealthServer health = HealthServer.start(new InetSocketAddress("127.0.0.1", 0), heartbeats,
                Duration.ofSeconds(30), new LabelerMetrics());
             LeaseServer lease = leaseServer()) {
            Stallers onHealth = Stallers.start(health.port(), "GET " + LabelerContract.HEALTH_PATH, stalled);
            Stallers onLease = Stallers.start(lease.port(), "POST " + LeaseContract.PATH, stalled);
            List<Long> probes = new ArrayList<>();
            List<Long> renewals = new ArrayList<>();
            try {
                long end = System.nanoTime() + ATTACK.toNanos();
                while (System.nanoTime() < end) {
                    probes.add(timeAnswer(health.port(), "GET " + LabelerContract.HEALTH_PATH, 200));
                    renewals.add(timeAnswer(lease.port(), "POST " + LeaseContract.PATH, LeaseContract.HELD));
                    Thread.sleep(100);
                }
            } finally {
                onHealth.stop();
                onLease.stop();
            }

            assertThat(probes).as("liveness probes answered after (ms)").hasSizeGreaterThan(10)
                    .allMatch(ms -> ms < ANSWER_WITHIN_MILLIS);
            assertThat(renewals).as("lease renewals answered after (ms)").hasSizeGreaterThan(10)
                    .allMatch(ms -> ms < ANSWER_WITHIN_MILLIS);
            onHealth.assertEachCutWithinTheLimit("health port", stalled);
            onLease.assertEachCutWithinTheLimit("lease port", stalled);
        }
    }

    /** More stalled requests than the health port serves at once: it refuses some, the lease port none. */
    @Test
    void evenASaturatedHealthPortDelaysNoRenewal() throws Exception {
        try (HealthServer health = HealthServer.start(new InetSocketAddress("127.0.0.1", 0), heartbeats,
                Duration.ofSeconds(30), new LabelerMetrics());
             LeaseServer lease = leaseServer()) {
            Stallers stallers = Stallers.start(health.port(), "GET " + LabelerContract.HEALTH_PATH,
                    BoundedHttpServer.MAX_EXCHANGES + 16);
            List<Long> renewals = new ArrayList<>();
            try {
                long end = System.nanoTime() + ATTACK.toNanos();
                while (System.nanoTime() < end) {
                    renewals.add(timeAnswer(lease.port(), "POST " + LeaseContract.PATH, LeaseContract.HELD));
                    Thread.sleep(100);
                }
            } finally {
                stallers.stop();
            }

            assertThat(renewals).as("lease renewals answered after (ms)").hasSizeGreaterThan(10)
                    .allMatch(ms -> ms < ANSWER_WITHIN_MILLIS);
        }
    }

    /**
     * The request's time limit ends when its body is read, which the server does before the handler runs: a handler
     * that takes longer than the limit (a lease request waiting for the API server) is not cut.
     */
    @Test
    void aSlowAnswerToARequestWithABodyIsNotCut() throws Exception {
        try (LeaseServer lease = LeaseServer.bind(0)) {
            lease.serve(exchange -> {
                sleep(BoundedHttpServer.MAX_REQUEST_SECONDS * 1000L + 3L * BoundedHttpServer.TIMER_MILLIS);
                answer(exchange, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            });
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), lease.port())) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write(("POST " + LeaseContract.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: 5\r\nConnection: close\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII));
                String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

                assertThat(response).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nhello");
            }
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeTheHandler() throws Exception {
        try (LeaseServer lease = LeaseServer.bind(0)) {
            lease.serve(exchange -> {
                throw new AssertionError("the handler ran");
            });
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), lease.port())) {
                socket.setSoTimeout(5000);
                int size = BoundedHttpServer.MAX_BODY_BYTES + 1;
                socket.getOutputStream().write(("POST " + LeaseContract.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: " + size + "\r\n\r\n" + "x".repeat(size)).getBytes(StandardCharsets.US_ASCII));

                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                        .startsWith("HTTP/1.1 413 ");
            }
        }
    }

    @Test
    void theLeasePortIsBoundToLoopbackOnly() throws Exception {
        try (LeaseServer lease = leaseServer()) {
            assertThat(lease.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            Optional<InetAddress> external = nonLoopbackAddress();
            assumeThat(external).as("an address of this host other than loopback").isPresent();

            assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress(external.get(), lease.port()), 1000))
                    .as("connecting through " + external.get()).isInstanceOf(ConnectException.class);
            assertThat(send(lease.port(), "POST " + LeaseContract.PATH)).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aTakenLeasePortIsNamedInTheError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> LeaseServer.bind(taken.getLocalPort())).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot bind the lease endpoint to /127.0.0.1:" + taken.getLocalPort() + ": ")
                    .hasMessageEndingWith(" (the lease endpoint's port is the health port + 1, where the webhook points"
                            + " the broker's lease locker: the health port must leave it free)");
        }
    }

    private static LeaseServer leaseServer() throws IOException {
        LeaseServer lease = LeaseServer.bind(0);
        lease.serve(exchange -> answer(exchange, ""));
        return lease;
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(LeaseContract.HELD, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The time to the answer to {@code request}, which must be {@code status}. */
    private static long timeAnswer(int port, String request, int status) throws IOException {
        long start = System.nanoTime();
        String response;
        try {
            response = send(port, request);
        } catch (SocketTimeoutException e) {
            response = "no answer within " + ANSWER_WITHIN_MILLIS + " ms";
        } catch (SocketException e) {
            response = e.toString();
        }
        long took = (System.nanoTime() - start) / 1_000_000;
        assertThat(response).as("%s on port %d, after %d ms", request, port, took).startsWith("HTTP/1.1 " + status + " ");
        return took;
    }

    /** One request on a new connection, as the kubelet and the locker send them; the status line and headers. */
    private static String send(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) ANSWER_WITHIN_MILLIS);
            socket.getOutputStream().write((request + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return response.isEmpty() ? "closed without an answer" : response;
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        return NetworkInterface.networkInterfaces().filter(StalledClientsTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (SocketException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Clients that each hold one request open: half of them send its start and nothing more, the others a byte every
     * 100 ms of a head that never ends. When the server closes one, it opens the next at once, until stopped.
     */
    private static final class Stallers {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        /** How long each stalled request was held open before the server closed it, or what went wrong. */
        private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
        private final List<Long> heldMillis = Collections.synchronizedList(new ArrayList<>());
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        static Stallers start(int port, String request, int count) throws InterruptedException {
            Stallers stallers = new Stallers();
            for (int i = 0; i < count; i++) {
                boolean trickle = i % 2 == 1;
                Thread t = new Thread(() -> stallers.hold(port, request, trickle), "staller-" + i);
                t.setDaemon(true);
                stallers.threads.add(t);
                t.start();
            }
            Thread.sleep(200);
            return stallers;
        }

        private void hold(int port, String request, boolean trickle) {
            while (running.get()) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    open.add(socket);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    long start = System.nanoTime();
                    out.write((request + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Never-Ends: ")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.setSoTimeout(trickle ? 100 : (int) CUT_WITHIN_MILLIS + 2000);
                    int read = awaitClose(in, out, trickle, start);
                    long held = (System.nanoTime() - start) / 1_000_000;
                    open.remove(socket);
                    if (!running.get()) {
                        return; // closed by stop()
                    }
                    if (read >= 0) {
                        problems.add("the server answered a request it could not have read whole, after " + held + " ms");
                    } else {
                        heldMillis.add(held);
                    }
                    if (held < 100) {
                        sleep(20); // closed at once (a saturated server): no busy loop
                    }
                } catch (IOException e) {
                    // Refused (a saturated server) or reset: try again.
                    sleep(10);
                }
            }
        }

        /** Blocks until the server closes the connection (-1) or sends something; trickles meanwhile if asked to. */
        private int awaitClose(InputStream in, OutputStream out, boolean trickle, long start) throws IOException {
            while (true) {
                try {
                    return in.read();
                } catch (SocketTimeoutException e) {
                    if (!trickle || System.nanoTime() - start > (CUT_WITHIN_MILLIS + 2000) * 1_000_000) {
                        return -1;
                    }
                    try {
                        out.write('a');
                    } catch (SocketException closed) {
                        return -1;
                    }
                } catch (SocketException reset) {
                    return -1;
                }
            }
        }

        /** Stops renewing and closes the requests still held (those were not measured). */
        void stop() throws InterruptedException {
            running.set(false);
            for (Socket socket : open) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            for (Thread t : threads) {
                t.join(5000);
            }
        }

        void assertEachCutWithinTheLimit(String where, int count) {
            assertThat(problems).as(where).isEmpty();
            assertThat(heldMillis).as("stalled requests on the %s cut after (ms)", where).hasSizeGreaterThanOrEqualTo(count)
                    .allMatch(ms -> ms >= BoundedHttpServer.MAX_REQUEST_SECONDS * 1000L - 100,
                            "held for about the limit (so the requests were stalled, not refused)")
                    .allMatch(ms -> ms <= CUT_WITHIN_MILLIS, "cut within " + CUT_WITHIN_MILLIS + " ms");
        }
    }
}
