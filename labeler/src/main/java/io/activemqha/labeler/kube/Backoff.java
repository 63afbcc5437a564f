package io.activemqha.labeler.kube;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential back-off with full jitter between {@code base/2} and the exponential step, so the
 * labelers of many pods do not retry an API server in lock-step once it returns.
 */
public final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final DoubleSupplier random;

    /** @param random uniform in [0, 1), injected so the delays can be checked */
    public Backoff(Duration base, Duration max, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < base <= max, got base " + base + ", max " + max);
        }
        this.baseMillis = base.toMillis();
        this.maxMillis = max.toMillis();
        this.random = random;
    }

    /** Delay before retry number {@code attempt} (1 = first retry). */
    public Duration delay(int attempt) {
        int exponent = Math.min(Math.max(attempt - 1, 0), 30);
        long step = Math.min(maxMillis, baseMillis << exponent);
        long floor = Math.min(step, Math.max(1, baseMillis / 2));
        long jittered = floor + (long) ((step - floor) * random.getAsDouble());
        return Duration.ofMillis(Math.max(1, jittered));
    }
}
