package io.activemqha.labeler.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * What one chaos run did and found, in order, with times relative to its start: the seeded fault sequence (to
 * reproduce a failure with {@code -Dchaos.seed}) and every invariant violation. Thread-safe: the sampler reports
 * from its own thread.
 */
final class ChaosLog {
    private final long seed;
    private final long startNanos = System.nanoTime();
    private final List<String> events = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private int faults;
    private int checks;

    ChaosLog(long seed) {
        this.seed = seed;
    }

    synchronized void fault(String what) {
        faults++;
        events.add(stamp() + " fault " + faults + ": " + what);
    }

    synchronized void event(String what) {
        events.add(stamp() + " " + what);
    }

    synchronized void check() {
        checks++;
    }

    synchronized void violation(String what) {
        violations.add(stamp() + " " + what);
        events.add(stamp() + " VIOLATION " + what);
    }

    synchronized int faults() {
        return faults;
    }

    synchronized int checks() {
        return checks;
    }

    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    synchronized String sequence() {
        return "seed " + seed + " (rerun with -Dchaos.seed=" + seed + ")\n" + String.join("\n", events);
    }

    private String stamp() {
        return String.format("t=%6.1fs", (System.nanoTime() - startNanos) / 1e9);
    }
}
