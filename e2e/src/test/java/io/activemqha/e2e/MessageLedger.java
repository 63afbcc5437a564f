package io.activemqha.e2e;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which messages a broker acknowledged and which were received (how often): lost and duplicated counts. */
final class MessageLedger {
    private final Set<String> acknowledged = new HashSet<>();
    private final Set<String> received = new HashSet<>();
    private final List<Long> acknowledgedAt = new ArrayList<>();
    private long duplicates;

    synchronized void acknowledged(String id) {
        acknowledged.add(id);
        acknowledgedAt.add(System.nanoTime());
    }

    /**
     * The longest time without an acknowledged send between {@code fromNanos} and {@code toNanos} ({@link System#nanoTime}),
     * the window's edges included: the longest outage a producer saw.
     */
    synchronized long longestGapMillis(long fromNanos, long toNanos) {
        long previous = fromNanos;
        long longest = 0;
        for (long at : acknowledgedAt) {
            if (at > fromNanos && at <= toNanos) {
                longest = Math.max(longest, at - previous);
                previous = at;
            }
        }
        return Math.max(longest, toNanos - previous) / 1_000_000;
    }

    synchronized void received(String id) {
        if (!received.add(id)) {
            duplicates++;
        }
    }

    /** Acknowledged sends never received. */
    synchronized long lost() {
        return acknowledged.stream().filter(id -> !received.contains(id)).count();
    }

    synchronized Set<String> lostIds() {
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(received);
        return lost;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long acknowledgedCount() {
        return acknowledged.size();
    }
}
