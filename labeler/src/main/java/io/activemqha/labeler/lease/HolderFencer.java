package io.activemqha.labeler.lease;

/**
 * Makes sure a previous holder of the Lease has stopped before the store is opened: its pod is deleted (gracefully,
 * for exactly the incarnation that held the Lease) and its kubelet's report that every container ended is awaited.
 */
public interface HolderFencer {
    /** Starts fencing the pod of {@code holderIdentity} ({@code <pod name>_<pod uid>}); returns at once. */
    Fencing fence(String holderIdentity);

    /** One pod being fenced. */
    interface Fencing {
        /** Whether its kubelet has reported every container of that pod ended. */
        boolean confirmed();

        /** Stops watching. */
        void close();
    }
}
