package io.activemqha.labeler.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.activemqha.labeler.testing.FreePorts;
import io.activemqha.labeler.testing.HaGroup;
import io.activemqha.labeler.testing.MockApi;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probes against real sockets: a real broker (child JVM), a refused port, and a bound socket that never accepts. */
class ProbeTest {
    private static final Duration HANDSHAKE = Duration.ofSeconds(1);
    private static final Duration INACTIVITY = Duration.ofSeconds(10);
    /** Generous bound for "returns instead of hanging"; not a speed assertion. */
    private static final Duration NO_HANG = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    private static MockApi unusedApi;
    private static HaGroup group;
    private static HaGroup.Broker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        unusedApi = new MockApi();
        group = new HaGroup(unusedApi, dir, "probe");
        broker = group.startBroker("probed", true, null);
        broker.awaitMaster(1);
    }

    @AfterAll
    static void stop() {
        group.close();
        unusedApi.close();
    }

    @Test
    void openWireHandshakeWithARealBrokerReportsItsNameAndIdAndKeepsTheConnection() {
        ProbeResult result = new OpenWireProbe(URI.create(broker.openwireUrl()), HANDSHAKE, INACTIVITY).probe();

        assertThat(result).isInstanceOf(ProbeResult.Active.class);
        ProbeResult.Active active = (ProbeResult.Active) result;
        assertThat(active.broker().name()).isEqualTo("probed");
        assertThat(active.broker().id()).startsWith("ID:");
        assertThat(active.connection()).isPresent();
        LiveConnection connection = active.connection().get();
        assertThat(connection.lost().toCompletableFuture()).isNotDone();
        connection.close();
        assertThat(connection.lost().toCompletableFuture()).isCompletedWithValue("closed by the labeler");
    }

    @Test
    void stompHandshakeWithARealBrokerKeepsTheConnection() {
        ProbeResult result = new StompProbe(URI.create(broker.stompUrl()), HANDSHAKE).probe();

        assertThat(result.active()).isTrue();
        ProbeResult.Active active = (ProbeResult.Active) result;
        assertThat(active.connection()).isPresent();
        active.connection().get().close();
    }

    @Test
    void refusedPortIsNotActive() {
        int port = FreePorts.next();
        ProbeResult open = new OpenWireProbe(URI.create("tcp://127.0.0.1:" + port), HANDSHAKE, INACTIVITY).probe();
        ProbeResult stomp = new StompProbe(URI.create("stomp://127.0.0.1:" + port), HANDSHAKE).probe();

        assertThat(open).isEqualTo(new ProbeResult.Inactive("connection refused"));
        assertThat(stomp).isEqualTo(new ProbeResult.Inactive("connection refused"));
    }

    @Test
    void connectCheckTellsARefusedPortFromAnAcceptingOne() throws Exception {
        assertThat(ConnectCheck.forUrl(URI.create(broker.openwireUrl()), HANDSHAKE).refusal()).isEmpty();
        assertThat(new ConnectCheck("127.0.0.1", FreePorts.next(), HANDSHAKE).refusal()).contains("connection refused");
        assertThat(new ConnectCheck("no-such-host.invalid", 61616, HANDSHAKE).refusal()).hasValueSatisfying(
                reason -> assertThat(reason).startsWith("unknown host"));
        try (ServerSocket bound = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Accepted into the backlog although nothing accepts: why an accepted check is followed by the full probe.
            assertThat(new ConnectCheck("127.0.0.1", bound.getLocalPort(), HANDSHAKE).refusal()).isEmpty();
        }
    }

    @Test
    void refusedIsRecognisedFromTheProbesOwnReason() {
        ProbeResult refused = new OpenWireProbe(URI.create("tcp://127.0.0.1:" + FreePorts.next()), HANDSHAKE, INACTIVITY).probe();

        assertThat(((ProbeResult.Inactive) refused).refused()).isTrue();
        assertThat(new ProbeResult.Inactive("connection closed by the broker").refused()).isFalse();
    }

    @Test
    void boundSocketThatNeverAcceptsIsNotActiveAndTheProbeGivesUp() throws Exception {
        try (ServerSocket bound = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            URI openwire = URI.create("tcp://127.0.0.1:" + bound.getLocalPort());
            URI stompUri = URI.create("stomp://127.0.0.1:" + bound.getLocalPort());
            // The kernel completes the TCP handshake although nothing accepts: a bare connect would say "up".
            try (Socket raw = new Socket("127.0.0.1", bound.getLocalPort())) {
                assertThat(raw.isConnected()).isTrue();
            }

            ProbeResult open = assertTimeoutPreemptively(NO_HANG, () -> new OpenWireProbe(openwire, HANDSHAKE, INACTIVITY).probe());
            ProbeResult stomp = assertTimeoutPreemptively(NO_HANG, () -> new StompProbe(stompUri, HANDSHAKE).probe());

            assertThat(open.active()).isFalse();
            assertThat(((ProbeResult.Inactive) open).reason()).startsWith("no OpenWire handshake within 1000 ms");
            assertThat(stomp.active()).isFalse();
            assertThat(((ProbeResult.Inactive) stomp).reason()).startsWith("no STOMP handshake within 1000 ms");
        }
    }

    @Test
    void killedBrokerIsReportedThroughTheKeptConnectionAtOnce() throws Exception {
        HaGroup.Broker victim;
        try (HaGroup own = new HaGroup(unusedApi, dir.resolve("victim"), "probe-victim")) {
            victim = own.startBroker("victim", false, null);
            victim.awaitMaster(1);
            ProbeResult.Active active = (ProbeResult.Active) new OpenWireProbe(URI.create(victim.openwireUrl()), HANDSHAKE, INACTIVITY).probe();

            victim.process().kill();

            // Far below the inactivity timeout and any poll: the closed socket is reported by the transport itself.
            String reason = active.connection().orElseThrow().lost().toCompletableFuture().get(8, TimeUnit.SECONDS);
            assertThat(reason).isNotBlank().isNotEqualTo("closed by the labeler");
        }
    }

    @Test
    void transportUriBoundsConnectAndInactivityButKeepsUserParameters() {
        URI uri = OpenWireProbe.transportUri(URI.create("tcp://broker:61616?wireFormat.maxInactivityDuration=3000&soTimeout=0"),
                Duration.ofMillis(800), Duration.ofSeconds(10));

        assertThat(uri.getHost()).isEqualTo("broker");
        assertThat(uri.getQuery()).contains("connectionTimeout=800", "wireFormat.maxInactivityDuration=3000", "soTimeout=0");
    }
}
