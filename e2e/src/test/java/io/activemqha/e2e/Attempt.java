package io.activemqha.e2e;

import java.util.function.Supplier;

/**
 * The outcome of starting a shared fixture, kept so that a fixture that failed to start fails every later test at once
 * with the same cause instead of being started (and timing out) again for each of them.
 *
 * @param value   the started fixture, or null
 * @param failure why it did not start, or null
 */
record Attempt<T extends AutoCloseable>(T value, RuntimeException failure) implements AutoCloseable {
    static <T extends AutoCloseable> Attempt<T> of(Supplier<T> start) {
        try {
            return new Attempt<>(start.get(), null);
        } catch (RuntimeException e) {
            return new Attempt<>(null, e);
        }
    }

    /** The fixture, or the original startup failure wrapped (so each test's report shows it). */
    T get() {
        if (failure != null) {
            throw new IllegalStateException("fixture failed to start: " + failure.getMessage(), failure);
        }
        return value;
    }

    @Override
    public void close() throws Exception {
        if (value != null) {
            value.close();
        }
    }
}
