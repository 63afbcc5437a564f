package io.activemqha.locker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The monotonic clock plus the time the machine spent suspended. {@link System#nanoTime()} (CLOCK_MONOTONIC) stops
 * while a VM or a laptop is suspended, so a master resumed after a suspend would believe its last renewal fresh;
 * CLOCK_BOOTTIME, which Linux shows in {@code /proc/uptime}, goes on. The JDK has no call for CLOCK_BOOTTIME, and
 * {@code /proc/uptime} counts in hundredths of a second, so this clock is the fine monotonic clock plus the largest
 * difference to the boot-time clock seen so far: it never runs backwards, never runs ahead of the boot-time clock,
 * and lags it by less than its 10 ms resolution. Where there is no {@code /proc/uptime} it is the monotonic clock.
 */
final class BootTicker implements Ticker {
    private static final Path UPTIME = Path.of("/proc/uptime");

    private final LongSupplier monotonic;
    private final Supplier<OptionalLong> bootNanos;
    private final AtomicLong suspended = new AtomicLong(Long.MIN_VALUE);

    BootTicker(LongSupplier monotonic, Supplier<OptionalLong> bootNanos) {
        this.monotonic = monotonic;
        this.bootNanos = bootNanos;
    }

    /** The system's clock: {@link System#nanoTime()} and {@code /proc/uptime}, or nanoTime alone where it is missing. */
    static BootTicker system() {
        FileChannel uptime;
        try {
            uptime = FileChannel.open(UPTIME, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return new BootTicker(System::nanoTime, OptionalLong::empty);
        }
        return new BootTicker(System::nanoTime, () -> read(uptime));
    }

    /** Whether suspended time is counted (the boot-time clock could be read). */
    boolean countsSuspend() {
        return bootNanos.get().isPresent();
    }

    @Override
    public long nanos() {
        long mono = monotonic.getAsLong();
        OptionalLong boot = bootNanos.get();
        long offset = boot.isPresent()
                ? suspended.accumulateAndGet(boot.getAsLong() - mono, Math::max)
                : suspended.get();
        return offset == Long.MIN_VALUE ? mono : mono + offset;
    }

    /** Reads {@code /proc/uptime} ("12345.67 ..."): positional reads regenerate it, one system call each. */
    private static OptionalLong read(FileChannel uptime) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            uptime.read(buffer, 0);
            return parse(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parse(String uptime) {
        int space = uptime.indexOf(' ');
        String seconds = space < 0 ? uptime.strip() : uptime.substring(0, space);
        int dot = seconds.indexOf('.');
        try {
            if (dot < 0) {
                return OptionalLong.of(Long.parseLong(seconds) * 1_000_000_000L);
            }
            String fraction = (seconds.substring(dot + 1) + "000000000").substring(0, 9);
            return OptionalLong.of(Long.parseLong(seconds.substring(0, dot)) * 1_000_000_000L + Long.parseLong(fraction));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
