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
 */
public record LeaseRecord(String holder, Duration duration, Instant renewTime, int transitions, String resourceVersion) {
    public LeaseRecord {
        holder = holder == null ? "" : holder;
    }

    LeaseRecord heldBy(String identity, Duration leaseDuration, Instant now, boolean newHolder) {
        return new LeaseRecord(identity, leaseDuration, now, newHolder ? transitions + 1 : transitions, resourceVersion);
    }

    LeaseRecord released(Instant now) {
        return new LeaseRecord("", duration, now, transitions, resourceVersion);
    }
}
