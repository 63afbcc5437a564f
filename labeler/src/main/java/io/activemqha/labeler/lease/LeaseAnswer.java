package io.activemqha.labeler.lease;

import java.time.Duration;

/** The labeler's answer to its broker's acquire-or-renew request (see {@code LeaseContract}). */
public sealed interface LeaseAnswer {
    /** This pod holds the Lease, renewed just now; {@code takenOver} when it was just taken from another holder. */
    record Held(Duration duration, boolean takenOver) implements LeaseAnswer {
    }

    /** Another pod holds it. */
    record HeldElsewhere(String holder) implements LeaseAnswer {
    }

    /** The labeler cannot tell; {@code reason} says why. */
    record Unknown(String reason) implements LeaseAnswer {
    }
}
