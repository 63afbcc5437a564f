package io.activemqha.locker;

/** A monotonic clock that moves only when something sleeps on it or a test advances it. */
final class FakeTicker implements Ticker {
    private long nanos = 1_000_000_000L;

    @Override
    public synchronized long nanos() {
        return nanos;
    }

    @Override
    public synchronized void sleep(long duration) {
        nanos += Math.max(0, duration);
    }

    synchronized void advanceMillis(long millis) {
        nanos += millis * 1_000_000L;
    }

    synchronized long millis() {
        return nanos / 1_000_000L;
    }
}
