package io.activemqha.labeler;

import io.activemqha.labeler.health.Heartbeat;
import io.activemqha.labeler.probe.BrokerProbe;
import io.activemqha.labeler.probe.ConnectCheck;
import io.activemqha.labeler.probe.LiveConnection;
import io.activemqha.labeler.probe.ProbeResult;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks whether the local broker is active. While it is, the probe's connection stays open and its
 * failure is reported at once. While its port refuses connections (a standby: connectors not started), only
 * a bare TCP connect is tried, every {@code connectInterval}; the full probe runs as soon as one is accepted.
 * When the port accepts but the full probe does not find an active broker (a bound socket nobody accepts on,
 * a broker still starting, a proxy), the full probe is repeated every {@code interval}, without pre-checks, until
 * it is refused again: an accepting port never makes the loop spin. Every change is handed to {@code sink} (the
 * label reconciler); repeated identical outcomes are not.
 */
public final class ActivityMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActivityMonitor.class);
    /** How often the loop proves it is alive while it waits on a kept connection. */
    private static final long BEAT_MILLIS = 1000;

    private final BrokerProbe probe;
    private final Duration interval;
    private final ConnectCheck connectCheck;
    private final Duration connectInterval;
    private final Consumer<BrokerActivity> sink;
    private final Heartbeat heartbeat;
    private final LongSupplier nanoClock;
    private boolean probedOnce;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile LiveConnection current;
    private BrokerActivity last;

    /**
     * @param probe           the full protocol probe
     * @param interval        pause before the next full probe after one that kept no connection
     * @param connectCheck    the bare TCP connect tried while the port refuses
     * @param connectInterval pause between refused connect checks
     */
    public ActivityMonitor(BrokerProbe probe, Duration interval, ConnectCheck connectCheck, Duration connectInterval,
                           Consumer<BrokerActivity> sink, Heartbeat heartbeat, LongSupplier nanoClock) {
        this.probe = Objects.requireNonNull(probe);
        this.interval = interval;
        this.connectCheck = Objects.requireNonNull(connectCheck);
        this.connectInterval = connectInterval;
        this.sink = sink;
        this.heartbeat = heartbeat;
        this.nanoClock = nanoClock;
        this.thread = new Thread(this::loop, "activity-monitor");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        // The connect check comes first while the port may be refusing; after a full probe that found the port
        // accepting but kept no connection, the next full probe follows the interval directly.
        boolean checkFirst = true;
        while (running) {
            heartbeat.beat();
            long started = nanoClock.getAsLong();
            if (checkFirst) {
                Optional<String> refusal = connectCheck.refusal();
                if (refusal.isPresent()) {
                    if (!running) {
                        break;
                    }
                    done(new ProbeResult.Inactive(refusal.get()), started);
                    pause(connectInterval.toMillis());
                    continue;
                }
                // Accepted: the broker may just have started its connectors; handshake at once.
            }
            ProbeResult result = probe.probe();
            if (!running) {
                result.closeConnection();
                break;
            }
            done(result, started);
            if (result instanceof ProbeResult.Active active && active.connection().isPresent()) {
                watch(active.connection().get());
                checkFirst = true;
            } else if (result instanceof ProbeResult.Inactive inactive && inactive.refused()) {
                // Refused again (the accepted connect was the last of a stopping broker, or the first check raced it).
                checkFirst = true;
                pause(connectInterval.toMillis());
            } else {
                // The port accepts, but no kept connection: an active broker that answered and closed (STOMP ERROR),
                // or a port that does not handshake. Full probes at the normal interval, never a spin.
                checkFirst = false;
                pause(interval.toMillis());
            }
        }
    }

    /** Publishes one outcome of the loop (a full probe, or a refused connect check) begun at {@code startedNanos}. */
    private void done(ProbeResult result, long startedNanos) {
        publish(result, (nanoClock.getAsLong() - startedNanos) / 1_000_000);
        if (!probedOnce) {
            probedOnce = true;
            LOG.info("first probe done {} ms after JVM start: broker {}", Uptime.millis(),
                    result.active() ? "active" : "not active");
        }
    }

    private void publish(ProbeResult result, long probeMillis) {
        BrokerActivity next = result instanceof ProbeResult.Active a
                ? new BrokerActivity(true, a.broker(), "handshake completed", nanoClock.getAsLong())
                : new BrokerActivity(false, null, ((ProbeResult.Inactive) result).reason(), nanoClock.getAsLong());
        boolean changed = last == null || last.active() != next.active() || !Objects.equals(last.broker(), next.broker());
        // A new reason is logged (once) but is no transition: the label and its latency clock stay as they are.
        if (changed || !last.reason().equals(next.reason())) {
            if (next.active()) {
                LOG.info("broker active: {} answered the handshake in {} ms", next.brokerText(), probeMillis);
            } else {
                LOG.info("broker not active: {} (probe took {} ms)", next.reason(), probeMillis);
            }
        }
        if (changed) {
            last = next;
            sink.accept(next);
        } else {
            last = new BrokerActivity(last.active(), last.broker(), next.reason(), last.detectedAtNanos());
        }
    }

    private void watch(LiveConnection connection) {
        current = connection;
        CompletableFuture<String> lost = connection.lost().toCompletableFuture();
        try {
            while (running) {
                heartbeat.beat();
                try {
                    String reason = lost.get(BEAT_MILLIS, TimeUnit.MILLISECONDS);
                    if (running) {
                        BrokerActivity next = new BrokerActivity(false, null, "connection lost: " + reason, nanoClock.getAsLong());
                        LOG.info("broker not active: {}", next.reason());
                        last = next;
                        sink.accept(next);
                    }
                    return;
                } catch (TimeoutException e) {
                    // Still connected: beat and keep waiting.
                } catch (Exception e) {
                    return;
                }
            }
        } finally {
            current = null;
            connection.close();
        }
    }

    private void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops probing and closes the kept connection without waiting for the loop to end. */
    public void stop() {
        running = false;
        LiveConnection c = current;
        if (c != null) {
            c.close();
        }
        thread.interrupt();
    }

    /** {@link #stop()}, then waits (bounded) for the loop to end. */
    @Override
    public void close() {
        stop();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
