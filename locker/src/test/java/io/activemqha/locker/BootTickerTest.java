package io.activemqha.locker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The clock that counts suspended time: against scripted clocks, and the real one against the JVM's. */
class BootTickerTest {
    private static final long MS = 1_000_000L;

    private final AtomicLong monotonic = new AtomicLong(7_000 * MS);
    private final AtomicLong boot = new AtomicLong(9_000 * MS);
    private final BootTicker ticker = new BootTicker(monotonic::get, () -> OptionalLong.of(boot.get() / (10 * MS) * 10 * MS));

    @Test
    void aSuspendThatStopsTheMonotonicClockStillMovesTheTicker() {
        long before = ticker.nanos();

        boot.addAndGet(30_000 * MS);

        assertThat(ticker.nanos() - before).isEqualTo(30_000 * MS);
    }

    @Test
    void itFollowsTheMonotonicClockFinelyAndNeverRunsBackwardsOnTheBootClocksCoarseSteps() {
        long last = ticker.nanos();
        for (int i = 0; i < 1_000; i++) {
            monotonic.addAndGet(3 * MS + 1);
            boot.addAndGet(3 * MS + 1);
            long now = ticker.nanos();
            assertThat(now).isGreaterThanOrEqualTo(last);
            assertThat(now).as("never ahead of the boot-time clock").isLessThanOrEqualTo(
                    monotonic.get() + (boot.get() - monotonic.get()));
            last = now;
        }
        assertThat(boot.get() - ticker.nanos()).as("lags the boot-time clock by less than its resolution")
                .isLessThan(10 * MS);
    }

    @Test
    void withoutTheBootClockItIsTheMonotonicClock() {
        BootTicker plain = new BootTicker(monotonic::get, OptionalLong::empty);

        assertThat(plain.nanos()).isEqualTo(monotonic.get());
        assertThat(plain.countsSuspend()).isFalse();
    }

    @Test
    void procUptimeIsParsed() {
        assertThat(BootTicker.parse("12345.67 54321.00\n")).hasValue(12_345_670 * MS);
        assertThat(BootTicker.parse("12\n")).hasValue(12_000 * MS);
        assertThat(BootTicker.parse("garbage")).isEmpty();
    }

    @Test
    void theSystemTickerCountsLikeTheJvmsMonotonicClockWhileNothingIsSuspended() throws Exception {
        BootTicker system = BootTicker.system();
        assertThat(system.countsSuspend()).as("/proc/uptime is readable on Linux").isTrue();
        long startTicker = system.nanos();
        long startJvm = System.nanoTime();
        Thread.sleep(300);
        long ticked = system.nanos() - startTicker;
        long jvm = System.nanoTime() - startJvm;

        assertThat(Math.abs(ticked - jvm)).isLessThan(25 * MS);
    }
}
