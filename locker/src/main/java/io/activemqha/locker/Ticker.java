package io.activemqha.locker;

import java.util.concurrent.TimeUnit;

/**
 * A monotonic clock and a way to wait on it. Lease validity is measured on it, never on the wall clock, which NTP or
 * an operator may step. The system's ({@link BootTicker}) also counts time the machine spent suspended.
 */
interface Ticker {
    long nanos();

    default void sleep(long nanos) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(nanos);
    }
}
