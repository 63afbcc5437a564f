package io.activemqha.locker;

import java.time.Duration;

/**
 * The labeler's answer to one acquire-or-renew request.
 *
 * @param held      this pod holds the Lease, renewed by the request
 * @param takenOver the request took the Lease from another holder (only when {@code held})
 * @param holder    who holds it when not this pod; empty when unknown
 * @param duration  the Lease's duration (only when {@code held})
 */
record Grant(boolean held, boolean takenOver, String holder, Duration duration) {
    static Grant heldHere(Duration duration, boolean takenOver) {
        return new Grant(true, takenOver, "", duration);
    }

    static Grant heldBy(String holder) {
        return new Grant(false, false, holder, Duration.ZERO);
    }
}
