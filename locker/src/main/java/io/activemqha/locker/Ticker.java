package io.activemqha.locker;

/**
 * A monotonic clock and a way to wait on it. Lease validity is measured on it, never on the wall clock, which NTP or
 * an operator may step.
 */
interface Ticker {
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };

    long nanos();

    void sleep(long nanos) throws InterruptedException;
}
