package io.activemqha.labeler.lease;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Holds the HA group's Lease for this pod while its broker asks for it: every acquire-or-renew request of the
 * broker's lease locker reads the Lease and, if this pod may hold it, writes it with a conditional update. Nothing
 * renews in the background, so a broker that stops asking (gone, hung) lets the Lease expire.
 *
 * <p>Expiry of another holder is judged as client-go's leader election judges it, on this pod's monotonic clock
 * rather than on the holder's {@code renewTime}: the Lease is free once its record (holder, renew time, version) has
 * not changed for one Lease duration since this keeper first saw it. Clock skew between nodes therefore cannot
 * shorten anyone's Lease.
 */
public final class LeaseKeeper implements LeaseGate.HeldLease {
    private final LeaseStore store;
    private final String name;
    private final String identity;
    private final Duration duration;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private LeaseRecord observed;
    private long observedAtNanos;
    private long heldUntilNanos;
    private long lastRequestNanos = Long.MIN_VALUE;

    /**
     * @param name     the Lease's name in the pod's namespace
     * @param identity this pod's name, the {@code holderIdentity} it writes
     * @param duration the Lease duration it writes
     */
    public LeaseKeeper(LeaseStore store, String name, String identity, Duration duration, LongSupplier nanoClock,
                       Clock wallClock) {
        this.store = store;
        this.name = name;
        this.identity = identity;
        this.duration = duration;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
    }

    /** Acquires or renews the Lease for this pod, as far as the Lease's state allows. Never throws. */
    public synchronized LeaseAnswer acquireOrRenew() {
        lastRequestNanos = nanoClock.getAsLong();
        try {
            Optional<LeaseRecord> read = store.read(name);
            long now = nanoClock.getAsLong();
            if (read.isEmpty()) {
                return store.create(name, new LeaseRecord(identity, duration, wallClock.instant(), 0, null))
                        ? held(now, false) : new LeaseAnswer.Unknown("another pod created the Lease first; asking again");
            }
            LeaseRecord current = read.get();
            observe(current, now);
            boolean mine = identity.equals(current.holder());
            boolean free = current.holder().isEmpty();
            boolean expired = !mine && !free && now - observedAtNanos >= current.duration().toNanos();
            if (!mine && !free && !expired) {
                return new LeaseAnswer.HeldElsewhere(current.holder());
            }
            if (!store.update(name, current.heldBy(identity, duration, wallClock.instant(), !mine))) {
                return new LeaseAnswer.Unknown("the Lease changed while it was written; asking again");
            }
            return held(now, expired);
        } catch (LeaseStore.LeaseStoreException e) {
            return new LeaseAnswer.Unknown(e.getMessage());
        }
    }

    /** Gives the Lease up if this pod holds it (a clean stop, or its broker gone), so a standby need not wait. */
    @Override
    public synchronized void release() {
        heldUntilNanos = nanoClock.getAsLong();
        lastRequestNanos = heldUntilNanos;
        store.read(name).filter(lease -> identity.equals(lease.holder()))
                .ifPresent(lease -> store.update(name, lease.released(wallClock.instant())));
    }

    /**
     * Whether this pod holds the Lease now, by its last successful write (sent no later than it was confirmed) plus
     * the Lease duration: what the {@code leader} label may follow.
     */
    @Override
    public synchronized boolean holds() {
        return nanoClock.getAsLong() < heldUntilNanos;
    }

    /** When the broker last asked (acquire, renew or release), on the monotonic clock; MIN_VALUE before it ever did. */
    @Override
    public synchronized long lastRequestNanos() {
        return lastRequestNanos;
    }

    private LeaseAnswer held(long sentNanos, boolean takenOver) {
        heldUntilNanos = sentNanos + duration.toNanos();
        return new LeaseAnswer.Held(duration, takenOver);
    }

    private void observe(LeaseRecord current, long now) {
        if (observed == null || !Objects.equals(observed.holder(), current.holder())
                || !Objects.equals(observed.renewTime(), current.renewTime())
                || !Objects.equals(observed.resourceVersion(), current.resourceVersion())) {
            observed = current;
            observedAtNanos = now;
        }
    }
}
