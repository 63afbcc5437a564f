package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.labeler.probe.BrokerProbe;
import io.activemqha.labeler.probe.ConnectCheck;
import io.activemqha.labeler.probe.OpenWireProbe;
import io.activemqha.labeler.probe.ProbeResult;
import io.activemqha.labeler.testing.FreePorts;
import io.activemqha.labeler.testing.HaGroup;
import io.activemqha.labeler.testing.MockApi;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The activity monitor's probing schedule against real sockets: connect checks only while the port refuses, the
 * full probe at once when it accepts, and the normal probe interval (never a spin) when it accepts but does not
 * handshake.
 */
class ActivityMonitorTest {
    private static final Duration HANDSHAKE = Duration.ofSeconds(1);
    private static final Duration INACTIVITY = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** Counts and times the full probes it passes on. */
    private static final class CountingProbe implements BrokerProbe {
        final BrokerProbe delegate;
        final AtomicInteger calls = new AtomicInteger();
        final List<Long> startedAtMillis = new CopyOnWriteArrayList<>();

        CountingProbe(BrokerProbe delegate) {
            this.delegate = delegate;
        }

        @Override
        public ProbeResult probe() {
            calls.incrementAndGet();
            startedAtMillis.add(System.currentTimeMillis());
            return delegate.probe();
        }
    }

    private static ActivityMonitor monitor(BrokerProbe probe, URI url, Duration interval, Duration connectInterval,
                                           List<BrokerActivity> seen) {
        return new ActivityMonitor(probe, interval, ConnectCheck.forUrl(url, HANDSHAKE), connectInterval, seen::add,
                () -> { }, System::nanoTime);
    }

    @Test
    void standbyWithClosedPortsGetsNoFullProbeAndIsHandshakedAsSoonAsItsPortOpens() throws Exception {
        try (MockApi unusedApi = new MockApi();
             HaGroup g = new HaGroup(unusedApi, dir, "monitor-promotion").standbyPortsClosed()) {
            HaGroup.Broker master = g.startMaster("a");
            HaGroup.Broker standby = g.startSlave("b");
            URI url = URI.create(standby.openwireUrl());
            CountingProbe probe = new CountingProbe(new OpenWireProbe(url, HANDSHAKE, INACTIVITY));
            List<BrokerActivity> seen = new CopyOnWriteArrayList<>();
            // A probe interval far above the connect interval: promotion must not wait for it.
            try (ActivityMonitor m = monitor(probe, url, Duration.ofSeconds(3), Duration.ofMillis(25), seen)) {
                m.start();
                Thread.sleep(1500);
                assertThat(probe.calls).as("full probes while the standby's port refuses").hasValue(0);
                assertThat(seen).singleElement().satisfies(a -> {
                    assertThat(a.active()).isFalse();
                    assertThat(a.reason()).isEqualTo("connection refused");
                });

                master.process().kill();
                standby.awaitMaster(1);
                long masterAt = Long.parseLong(standby.process().output().lines()
                        .filter(l -> l.startsWith("MASTER")).findFirst().orElseThrow().substring("MASTER".length()).trim());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (seen.stream().noneMatch(BrokerActivity::active) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }

                assertThat(seen).last().satisfies(a -> assertThat(a.active()).isTrue());
                assertThat(probe.calls).as("one full probe: the first after the port accepted succeeded").hasValue(1);
                long probeLag = probe.startedAtMillis.get(0) - masterAt;
                System.out.println("full probe started " + probeLag + " ms after the standby printed MASTER");
                // Its connectors start just before MASTER is printed; the next connect check follows within 25 ms. The
                // bound leaves room for a loaded machine yet is far below the 3 s probe interval.
                assertThat(probeLag).isLessThan(500);
            }
        }
    }

    @Test
    void portThatAcceptsButNeverHandshakesIsProbedAtTheProbeIntervalNotInASpin() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    // closed
                }
            }
        }, "accept-and-close");
        acceptor.start();
        URI url = URI.create("tcp://127.0.0.1:" + server.getLocalPort());
        CountingProbe probe = new CountingProbe(new OpenWireProbe(url, HANDSHAKE, INACTIVITY));
        List<BrokerActivity> seen = new CopyOnWriteArrayList<>();
        Duration interval = Duration.ofMillis(250);
        try (ActivityMonitor m = monitor(probe, url, interval, LabelerConfig.MIN_CONNECT_INTERVAL, seen)) {
            m.start();
            Thread.sleep(2000);
            int probes = probe.calls.get();
            int connections = accepted.get();
            // 2 s / 250 ms = 8 full probes, plus the first one and the one connect check that preceded it.
            assertThat(probes).as("full probes in 2 s").isBetween(2, 10);
            assertThat(connections).as("connections accepted in 2 s").isBetween(probes, probes + 2);
            assertThat(seen).allSatisfy(a -> assertThat(a.active()).isFalse());

            // The port refuses again: back to connect checks, no more full probes than the one that found it closed.
            server.close();
            acceptor.join(2000);
            Thread.sleep(300);
            int afterClose = probe.calls.get();
            Thread.sleep(1000);
            assertThat(probe.calls.get()).as("full probes while refused again").isEqualTo(afterClose);
            assertThat(seen).singleElement().satisfies(a -> assertThat(a.active()).isFalse());
        } finally {
            server.close();
        }
    }

    @Test
    void refusedPortWithNothingEverListeningCostsOnlyConnectChecks() throws Exception {
        URI url = URI.create("tcp://127.0.0.1:" + FreePorts.next());
        CountingProbe probe = new CountingProbe(new OpenWireProbe(url, HANDSHAKE, INACTIVITY));
        List<BrokerActivity> seen = new CopyOnWriteArrayList<>();
        try (ActivityMonitor m = monitor(probe, url, Duration.ofMillis(250), Duration.ofMillis(25), seen)) {
            m.start();
            Thread.sleep(1000);
        }
        assertThat(probe.calls).hasValue(0);
        assertThat(seen).singleElement().satisfies(a -> assertThat(a.reason()).isEqualTo("connection refused"));
    }
}
