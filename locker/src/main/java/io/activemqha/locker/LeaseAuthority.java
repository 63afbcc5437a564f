package io.activemqha.locker;

import java.io.IOException;
import java.time.Duration;

/** Who grants the Lease: the pod's labeler ({@link HttpLeaseAuthority}). */
interface LeaseAuthority {
    /**
     * Acquires or renews the Lease for this broker process ({@code session}).
     *
     * @throws IOException when there is no answer within {@code timeout}, or the labeler cannot tell
     */
    Grant acquireOrRenew(String session, Duration timeout) throws IOException;

    /** Gives the Lease up if this broker process holds it. */
    void release(String session, Duration timeout) throws IOException;
}
