package io.activemqha.labeler.lease;

import java.time.Duration;
import java.time.Instant;

/**
 * What the labeler reads and writes of a {@code coordination.k8s.io/v1} Lease.
 *
 * @param holder          {@code spec.holderIdentity}, empty when released
 * @param duration        {@code spec.leaseDurationSeconds}
 * @param renewTime       {@code spec.renewTime}, the holder's own clock: only compared for change, never with ours
 * @param transitions     {@code spec.leaseTransitions}
 * @param resourceVersion the version a conditional update must match; null for a Lease to create
 * @param unfenced        a previous holder not yet known to have stopped (the annotation {@value #UNFENCED}), empty
 *                        when none: whoever holds the Lease must fence it before its broker opens the store
 */
public record LeaseRecord(String holder, Duration duration, Instant renewTime, int transitions, String resourceVersion,
                          String unfenced) {
    /** The Lease annotation that carries {@link #unfenced} across labeler restarts and releases. */
    public static final String UNFENCED = "activemq-ha/unfenced-holder";

    public LeaseRecord {
        holder = holder == null ? "" : holder;
        unfenced = unfenced == null ? "" : unfenced;
    }

    public LeaseRecord(String holder, Duration duration, Instant renewTime, int transitions, String resourceVersion) {
        this(holder, duration, renewTime, transitions, resourceVersion, "");
    }

    LeaseRecord heldBy(String identity, Duration leaseDuration, Instant now, boolean newHolder, String stillUnfenced) {
        return new LeaseRecord(identity, leaseDuration, now, newHolder ? transitions + 1 : transitions, resourceVersion,
                stillUnfenced);
    }

    /** Released; a previous holder still to be fenced stays recorded for the next holder. */
    LeaseRecord released(Instant now) {
        return new LeaseRecord("", duration, now, transitions, resourceVersion, unfenced);
    }
}
