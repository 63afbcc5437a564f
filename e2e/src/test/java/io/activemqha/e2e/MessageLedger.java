package io.activemqha.e2e;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Which messages a broker acknowledged and which were received (how often): lost and duplicated counts. */
final class MessageLedger {
    /** Acknowledged ids, in acknowledgement order, with when ({@link System#nanoTime}). */
    private final Map<String, Long> acknowledged = new LinkedHashMap<>();
    private final Set<String> received = new HashSet<>();
    private long duplicates;

    synchronized void acknowledged(String id) {
        acknowledged.putIfAbsent(id, System.nanoTime());
    }

    /**
     * The longest time without an acknowledged send between {@code fromNanos} and {@code toNanos} ({@link System#nanoTime}),
     * the window's edges included: the longest outage a producer saw.
     */
    synchronized long longestGapMillis(long fromNanos, long toNanos) {
        long previous = fromNanos;
        long longest = 0;
        for (long at : acknowledged.values()) {
            if (at > fromNanos && at <= toNanos) {
                longest = Math.max(longest, at - previous);
                previous = at;
            }
        }
        return Math.max(longest, toNanos - previous) / 1_000_000;
    }

    /** When ({@link System#nanoTime}) the first send acknowledged at or after {@code sinceNanos} was; empty if none. */
    synchronized java.util.OptionalLong firstAcknowledgedSince(long sinceNanos) {
        return acknowledged.values().stream().mapToLong(Long::longValue).filter(at -> at - sinceNanos >= 0).findFirst();
    }

    synchronized void received(String id) {
        if (!received.add(id)) {
            duplicates++;
        }
    }

    /** Acknowledged sends never received. */
    synchronized long lost() {
        return acknowledged.keySet().stream().filter(id -> !received.contains(id)).count();
    }

    /** Sends acknowledged between {@code fromNanos} and {@code toNanos} ({@link System#nanoTime}) never received. */
    synchronized long lostAcknowledgedBetween(long fromNanos, long toNanos) {
        return acknowledged.entrySet().stream().filter(e -> e.getValue() >= fromNanos && e.getValue() <= toNanos)
                .filter(e -> !received.contains(e.getKey())).count();
    }

    synchronized Set<String> lostIds() {
        Set<String> lost = new HashSet<>(acknowledged.keySet());
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
