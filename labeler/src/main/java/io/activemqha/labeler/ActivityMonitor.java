package io.activemqha.labeler;

import io.activemqha.labeler.health.Heartbeat;
import io.activemqha.labeler.probe.BrokerProbe;
import io.activemqha.labeler.probe.LiveConnection;
import io.activemqha.labeler.probe.ProbeResult;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks whether the local broker is active. While it is, the probe's connection stays open and its
 * failure is reported at once; otherwise the broker is re-probed every {@code interval}. Every change is
 * handed to {@code sink} (the label reconciler); repeated identical outcomes are not.
 */
public final class ActivityMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActivityMonitor.class);
    /** How often the loop proves it is alive while it waits on a kept connection. */
    private static final long BEAT_MILLIS = 1000;

    private final BrokerProbe probe;
    private final Duration interval;
    private final Consumer<BrokerActivity> sink;
    private final Heartbeat heartbeat;
    private final LongSupplier nanoClock;
    private boolean probedOnce;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile LiveConnection current;
    private BrokerActivity last;

    public ActivityMonitor(BrokerProbe probe, Duration interval, Consumer<BrokerActivity> sink, Heartbeat heartbeat,
                           LongSupplier nanoClock) {
        this.probe = Objects.requireNonNull(probe);
        this.interval = interval;
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
        while (running) {
            heartbeat.beat();
            long started = nanoClock.getAsLong();
            ProbeResult result = probe.probe();
            long probeMillis = (nanoClock.getAsLong() - started) / 1_000_000;
            if (!running) {
                result.closeConnection();
                break;
            }
            publish(result, probeMillis);
            if (!probedOnce) {
                probedOnce = true;
                LOG.info("first probe done {} ms after JVM start: broker {}", Uptime.millis(),
                        result.active() ? "active" : "not active");
            }
            if (result instanceof ProbeResult.Active active && active.connection().isPresent()) {
                watch(active.connection().get());
            } else {
                pause(interval.toMillis());
            }
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
