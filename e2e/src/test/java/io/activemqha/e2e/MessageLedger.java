package io.activemqha.e2e;

import java.util.HashSet;
import java.util.Set;

/** Which messages a broker acknowledged and which were received (how often): lost and duplicated counts. */
final class MessageLedger {
    private final Set<String> acknowledged = new HashSet<>();
    private final Set<String> received = new HashSet<>();
    private long duplicates;

    synchronized void acknowledged(String id) {
        acknowledged.add(id);
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
