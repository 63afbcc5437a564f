package io.activemqha.locker;

import java.time.Duration;

/**
 * The labeler's answer to one acquire-or-renew request.
 *
 * @param held      this pod holds the Lease, renewed by the request
 * @param takenOver the Lease was taken from another holder that is not yet known to have stopped: the store must not
 *                  be opened yet (only when {@code held})
 * @param holder    who holds it when not this pod; empty when unknown
 * @param duration  the Lease's duration (only when {@code held})
 * @param leaseName {@code <namespace>/<name>} of the Lease (only when {@code held})
 */
record Grant(boolean held, boolean takenOver, String holder, Duration duration, String leaseName) {
    static Grant heldHere(Duration duration, boolean takenOver, String leaseName) {
        return new Grant(true, takenOver, "", duration, leaseName);
    }

    static Grant heldBy(String holder) {
        return new Grant(false, false, holder, Duration.ZERO, "");
    }
}
