package io.activemqha.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/** Bounded polling: waits for a condition with a deadline and a fixed pause between attempts (never a busy loop). */
public final class Await {
    private static final Duration PAUSE = Duration.ofMillis(200);

    private Await() {
    }

    /**
     * Polls {@code probe} until it yields a value.
     *
     * @param what    what is awaited, for the timeout message
     * @param detail  called once on timeout, to explain the last state (e.g. a log tail)
     * @throws IllegalStateException on timeout
     */
    public static <T> T until(String what, Duration timeout, Supplier<Optional<T>> probe, Supplier<String> detail) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what
                        + ": " + detail.get());
            }
            try {
                Thread.sleep(PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Polls {@code condition} until it holds. */
    public static void untilTrue(String what, Duration timeout, Supplier<Boolean> condition, Supplier<String> detail) {
        until(what, timeout, () -> condition.get() ? Optional.of(Boolean.TRUE) : Optional.empty(), detail);
    }
}
