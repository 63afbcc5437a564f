package io.activemqha.labeler.lease;

import java.util.Optional;

/** Where the group's Lease lives: the API server ({@link KubeLeaseStore}). */
public interface LeaseStore {
    /** The Lease, if it exists. @throws LeaseStoreException when the API cannot be asked */
    Optional<LeaseRecord> read(String name);

    /** Creates it. @return false when it already exists (someone else was first) */
    boolean create(String name, LeaseRecord lease);

    /** Updates it if its resourceVersion still matches. @return false on a conflict (someone else wrote first) */
    boolean update(String name, LeaseRecord lease);

    /** The API server cannot be asked (unreachable, refused, timed out); the message says why, in one line. */
    final class LeaseStoreException extends RuntimeException {
        public LeaseStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
