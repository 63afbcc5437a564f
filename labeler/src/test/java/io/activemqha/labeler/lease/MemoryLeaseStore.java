package io.activemqha.labeler.lease;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Leases kept as the API server keeps them, for the keeper's unit tests: a resourceVersion bumped on every write, a
 * conditional update refused when it does not match, a create refused when the name exists; and an outage switch.
 */
final class MemoryLeaseStore implements LeaseStore {
    private final Map<String, LeaseRecord> leases = new HashMap<>();
    private long version;
    private String outage;
    int writes;

    @Override
    public synchronized Optional<LeaseRecord> read(String name) {
        failIfDown();
        return Optional.ofNullable(leases.get(name));
    }

    @Override
    public synchronized boolean create(String name, LeaseRecord lease) {
        failIfDown();
        if (leases.containsKey(name)) {
            return false;
        }
        store(name, lease);
        return true;
    }

    @Override
    public synchronized boolean update(String name, LeaseRecord lease) {
        failIfDown();
        LeaseRecord current = leases.get(name);
        if (current == null || !current.resourceVersion().equals(lease.resourceVersion())) {
            return false;
        }
        store(name, lease);
        return true;
    }

    synchronized LeaseRecord get(String name) {
        return leases.get(name);
    }

    /** Another pod's labeler writing the Lease (a renewal or a takeover of its own). */
    synchronized void writeAsAnother(String name, String holder, java.time.Instant renewTime) {
        LeaseRecord current = leases.get(name);
        store(name, new LeaseRecord(holder, current == null ? java.time.Duration.ofSeconds(15) : current.duration(),
                renewTime, current == null ? 0 : current.transitions(), null));
    }

    synchronized void down(String reason) {
        outage = reason;
    }

    private void store(String name, LeaseRecord lease) {
        writes++;
        leases.put(name, new LeaseRecord(lease.holder(), lease.duration(), lease.renewTime(), lease.transitions(),
                Long.toString(++version), lease.unfenced()));
    }

    private void failIfDown() {
        if (outage != null) {
            throw new LeaseStoreException(outage, null);
        }
    }
}
