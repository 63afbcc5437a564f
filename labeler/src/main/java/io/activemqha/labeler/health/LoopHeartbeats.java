package io.activemqha.labeler.health;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The last beat of each of the labeler's loops. A loop that stopped beating is wedged (blocked in a call,
 * dead thread), which the liveness endpoint reports so the kubelet restarts the container.
 */
public final class LoopHeartbeats {
    private final LongSupplier nanoClock;
    private final Map<String, AtomicLong> lastBeat = new ConcurrentHashMap<>();

    public LoopHeartbeats(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Registers a loop, counted as alive from now on. */
    public Heartbeat register(String loop) {
        AtomicLong last = new AtomicLong(nanoClock.getAsLong());
        if (lastBeat.putIfAbsent(loop, last) != null) {
            throw new IllegalStateException("loop already registered: " + loop);
        }
        return () -> last.set(nanoClock.getAsLong());
    }

    /** The first loop silent for longer than {@code timeout}, with its silence, if any. */
    public Optional<String> stale(Duration timeout) {
        long now = nanoClock.getAsLong();
        return lastBeat.entrySet().stream()
                .filter(e -> now - e.getValue().get() > timeout.toNanos())
                .map(e -> e.getKey() + " silent for " + (now - e.getValue().get()) / 1_000_000 + " ms")
                .sorted()
                .findFirst();
    }
}
