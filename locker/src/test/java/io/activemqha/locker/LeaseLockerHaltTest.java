package io.activemqha.locker;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.activemqha.common.LeaseContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production halt, in a broker process of its own: a master whose Lease is found held elsewhere, or whose
 * renewals stop being confirmed, ends with exit status {@value LeaseLocker#EXIT_LEASE_LOST} and leaves every file of
 * the store as it was (no index checkpoint, no journal close). A clean stop of the same broker does write the store,
 * which shows the comparison can see a write.
 */
class LeaseLockerHaltTest {
    @TempDir
    Path dir;
    private HttpServer labeler;
    private volatile int status = LeaseContract.HELD;
    private volatile boolean answer = true;
    private Process broker;

    @BeforeEach
    void startLabeler() throws IOException {
        labeler = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        labeler.createContext(LeaseContract.PATH, this::answer);
        labeler.start();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.destroyForcibly();
        }
        labeler.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        if (!answer) {
            // An unreachable API server: the labeler cannot tell.
            exchange.sendResponseHeaders(LeaseContract.UNKNOWN, -1);
        } else if (status == LeaseContract.HELD) {
            exchange.getResponseHeaders().set(LeaseContract.HEADER_DURATION_MS, "3000");
            exchange.getResponseHeaders().set(LeaseContract.HEADER_LEASE_NAME, "brokers/activemq-ha-activemq");
            exchange.sendResponseHeaders(LeaseContract.HELD, -1);
        } else {
            exchange.getResponseHeaders().set(LeaseContract.HEADER_HOLDER, "activemq-1_uid");
            exchange.sendResponseHeaders(LeaseContract.HELD_ELSEWHERE, -1);
        }
        exchange.close();
    }

    private void startMaster() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        broker = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), HaltingBroker.class.getName(),
                dir.toString(), "http://127.0.0.1:" + labeler.getAddress().getPort() + LeaseContract.PATH)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); ; line = out.readLine()) {
            assertThat(line).as("the broker's output ended before it was master").isNotNull();
            if (line.equals("master")) {
                return;
            }
        }
    }

    @Test
    void aMasterThatFindsItsLeaseHeldElsewhereHaltsWithoutWritingTheStore() throws Exception {
        startMaster();
        Map<String, String> before = storeFiles();

        status = LeaseContract.HELD_ELSEWHERE;

        assertThat(broker.waitFor(5, TimeUnit.SECONDS)).as("halted").isTrue();
        assertThat(broker.exitValue()).isEqualTo(LeaseLocker.EXIT_LEASE_LOST);
        assertThat(storeFiles()).as("every file of the store as it was").isEqualTo(before);
    }

    @Test
    void aMasterWhoseRenewalsGoUnconfirmedHaltsAtTheDeadlineWithoutWritingTheStore() throws Exception {
        startMaster();
        Map<String, String> before = storeFiles();
        long cut = System.nanoTime();

        answer = false;

        assertThat(broker.waitFor(10, TimeUnit.SECONDS)).as("halted").isTrue();
        long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
        assertThat(broker.exitValue()).isEqualTo(LeaseLocker.EXIT_LEASE_LOST);
        // Valid until its last confirmed renewal (at most a keep-alive of 200 ms before the cut) + 3 s - 0.3 s.
        assertThat(afterMillis).isBetween(2_500L, 4_500L);
        assertThat(storeFiles()).isEqualTo(before);
    }

    @Test
    void aCleanStopDoesWriteTheStoreSoTheComparisonCanSeeAWrite() throws Exception {
        startMaster();
        Map<String, String> before = storeFiles();
        Thread.sleep(50);

        try (Writer in = new OutputStreamWriter(broker.getOutputStream(), StandardCharsets.UTF_8)) {
            in.write("stop\n");
        }

        assertThat(broker.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(broker.exitValue()).isZero();
        assertThat(storeFiles()).isNotEqualTo(before);
    }

    /** Every file under the store's directory with its size and modification time. */
    private Map<String, String> storeFiles() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir.resolve("kahadb"))) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                FileTime modified = Files.getLastModifiedTime(file);
                files.put(dir.relativize(file).toString(), Files.size(file) + " bytes, modified " + modified.toInstant());
            }
        }
        return files;
    }
}
