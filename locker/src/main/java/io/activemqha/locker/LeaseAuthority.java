package io.activemqha.locker;

import java.io.IOException;
import java.time.Duration;

/** Who grants the Lease: the pod's labeler ({@link HttpLeaseAuthority}). */
interface LeaseAuthority {
    /**
     * Acquires or renews the Lease for this pod.
     *
     * @throws IOException when there is no answer within {@code timeout}, or the labeler cannot tell
     */
    Grant acquireOrRenew(Duration timeout) throws IOException;

    /** Gives the Lease up if this pod holds it. */
    void release(Duration timeout) throws IOException;
}
