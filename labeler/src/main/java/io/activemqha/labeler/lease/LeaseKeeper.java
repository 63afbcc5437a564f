package io.activemqha.labeler.lease;

import io.activemqha.common.LeaseContract;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the HA group's Lease for this pod while its broker asks for it: every acquire-or-renew request of the
 * broker's lease locker reads the Lease and, if this pod may hold it, writes it with a conditional update. Nothing
 * renews in the background, so a broker that stops asking (gone, hung) lets the Lease expire.
 *
 * <p>Expiry of another holder is judged as client-go's leader election judges it, on this pod's monotonic clock
 * rather than on the holder's {@code renewTime}: the Lease is free once its record (holder, renew time, version) has
 * not changed for one Lease duration since this keeper first saw it. Clock skew between nodes therefore cannot
 * shorten anyone's Lease.
 *
 * <p>The rules that keep one master per store:
 * <ul>
 *   <li>The holder is the pod's name <em>and UID</em>: a pod recreated under the same name is a new holder.</li>
 *   <li>The Lease is granted to one broker process (the locker's session). A new process of this pod gets it only
 *       once the kubelet reports the container of the previous one ended.</li>
 *   <li>A takeover records the previous holder as unfenced, in the Lease itself: the new holder's broker may not open
 *       the store (the grant says "taken over") until the {@link HolderFencer} confirms that holder's pod ended, or
 *       one Lease duration has passed since the fence started (a node that cannot be reached).</li>
 *   <li>The Lease is released for the broker only when the kubelet reports the broker's container ended, never on
 *       silence: a silent broker may be paused, not dead.</li>
 * </ul>
 */
public final class LeaseKeeper implements LeaseGate.HeldLease {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final LeaseStore store;
    private final String name;
    private final String podName;
    private final Supplier<Optional<OwnPod>> ownPod;
    private final HolderFencer fencer;
    private final Duration duration;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private LeaseRecord observed;
    private long observedAtNanos;
    private long heldUntilNanos;
    private String session;
    private Set<String> sessionContainers = Set.of();
    private String fencing;
    private HolderFencer.Fencing fence;
    private long fencingSinceNanos;

    /**
     * @param name     the Lease's name in the pod's namespace
     * @param podName  this pod's name; with its UID ({@code ownPod}) the {@code holderIdentity} it writes
     * @param ownPod   what the API server last said of this pod; empty until it was read
     * @param duration the Lease duration it writes
     */
    public LeaseKeeper(LeaseStore store, String name, String podName, Supplier<Optional<OwnPod>> ownPod,
                       HolderFencer fencer, Duration duration, LongSupplier nanoClock, Clock wallClock) {
        this.store = store;
        this.name = name;
        this.podName = podName;
        this.ownPod = ownPod;
        this.fencer = fencer;
        this.duration = duration;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
    }

    /**
     * Acquires or renews the Lease for broker process {@code requester}, as far as the Lease's state allows. Never
     * throws.
     */
    public synchronized LeaseAnswer acquireOrRenew(String requester) {
        Optional<OwnPod> pod = ownPod.get();
        if (pod.isEmpty()) {
            return new LeaseAnswer.Unknown("this pod has not been read from the API server yet; asking again");
        }
        String identity = LeaseContract.holderIdentity(podName, pod.get().uid());
        try {
            Optional<LeaseRecord> read = store.read(name);
            long now = nanoClock.getAsLong();
            if (read.isEmpty()) {
                return store.create(name, new LeaseRecord(identity, duration, wallClock.instant(), 0, null))
                        ? granted(requester, pod.get(), now, true)
                        : new LeaseAnswer.Unknown("another pod created the Lease first; asking again");
            }
            LeaseRecord current = read.get();
            observe(current, now);
            boolean mine = identity.equals(current.holder());
            boolean free = current.holder().isEmpty();
            if (mine && session != null && !session.equals(requester) && !ended(pod.get())) {
                return new LeaseAnswer.HeldElsewhere(identity + " (another broker process of this pod, not yet reported"
                        + " ended by its kubelet)");
            }
            boolean expired = !mine && !free && now - observedAtNanos >= current.duration().toNanos();
            if (!mine && !free && !expired) {
                stopFencing();
                return new LeaseAnswer.HeldElsewhere(current.holder());
            }
            // Someone whose broker never opened the store since stays the one to fence; else the holder taken over.
            String unfenced = !current.unfenced().isEmpty() ? current.unfenced() : expired ? current.holder() : "";
            boolean fenced = unfenced.isEmpty() || fenced(unfenced, identity, now);
            if (!store.update(name, current.heldBy(identity, duration, wallClock.instant(), !mine, fenced ? "" : unfenced))) {
                return new LeaseAnswer.Unknown("the Lease changed while it was written; asking again");
            }
            if (fenced) {
                stopFencing();
            }
            return granted(requester, pod.get(), now, fenced);
        } catch (LeaseStore.LeaseStoreException e) {
            return new LeaseAnswer.Unknown(e.getMessage());
        }
    }

    /**
     * The broker's own release at its clean stop (the store is closed): gives the Lease up if this pod holds it for
     * {@code requester}. A release by an older process of this pod, while a newer one holds the Lease, is ignored.
     */
    public synchronized void release(String requester) {
        if (session != null && !session.equals(requester)) {
            LOG.warn("ignored a release of Lease {} by broker process {}: it is held for process {}", name, requester,
                    session);
            return;
        }
        releaseHeld();
    }

    /**
     * Releases the Lease when the kubelet reports that the broker process it was granted to ended (its container
     * terminated or restarted): the standby may then open the store at once.
     *
     * @return whether it released
     */
    @Override
    public synchronized boolean releaseIfBrokerEnded() {
        Optional<OwnPod> pod = ownPod.get();
        if (session == null || pod.isEmpty() || !ended(pod.get()) || !holds()) {
            return false;
        }
        String ended = session;
        releaseHeld();
        LOG.info("released Lease {}: the kubelet reports the broker container that held it ended (process {}, "
                + "containers {})", name, ended, sessionContainers);
        return true;
    }

    /**
     * Whether this pod holds the Lease now, by its last successful write (sent no later than it was confirmed) plus
     * the Lease duration: what the {@code leader} label may follow.
     */
    @Override
    public synchronized boolean holds() {
        return nanoClock.getAsLong() - heldUntilNanos < 0;
    }

    private void releaseHeld() {
        heldUntilNanos = nanoClock.getAsLong();
        session = null;
        Optional<OwnPod> pod = ownPod.get();
        if (pod.isEmpty()) {
            return;
        }
        String identity = LeaseContract.holderIdentity(podName, pod.get().uid());
        store.read(name).filter(lease -> identity.equals(lease.holder()))
                .ifPresent(lease -> store.update(name, lease.released(wallClock.instant())));
    }

    /** Whether the kubelet reports every container the current process was granted from ended or restarted. */
    private boolean ended(OwnPod pod) {
        return !sessionContainers.isEmpty() && Collections.disjoint(sessionContainers, pod.runningLockers());
    }

    private LeaseAnswer granted(String requester, OwnPod pod, long sentNanos, boolean fenced) {
        if (session != null && !session.equals(requester)) {
            LOG.info("Lease {} now held for broker process {} of this pod (the kubelet reports process {} ended)", name,
                    requester, session);
        }
        if (!requester.equals(session) || sessionContainers.isEmpty()) {
            sessionContainers = pod.runningLockers();
        }
        session = requester;
        heldUntilNanos = sentNanos + duration.toNanos();
        return new LeaseAnswer.Held(duration, !fenced);
    }

    /**
     * Whether the previous holder {@code unfenced} is known to have stopped: its pod's end confirmed, or one Lease
     * duration since this keeper started fencing it. Starts fencing it on first call.
     */
    private boolean fenced(String unfenced, String identity, long now) {
        if (!unfenced.equals(fencing)) {
            stopFencing();
            fencing = unfenced;
            fencingSinceNanos = now;
            if (unfenced.equals(identity)) {
                LOG.warn("Lease {}: this pod itself is recorded as the holder to fence; waiting one Lease duration", name);
            } else {
                LOG.info("took Lease {} from {}: deleting its pod and waiting for its kubelet to confirm its end (at "
                        + "most one Lease duration, {} s) before the broker may open the store", name, unfenced,
                        duration.toSeconds());
                fence = fencer.fence(unfenced);
            }
        }
        if (fence != null && fence.confirmed()) {
            LOG.info("Lease {}: the kubelet confirmed that {}'s pod ended {} ms after the fence started", name, fencing,
                    (now - fencingSinceNanos) / 1_000_000);
            return true;
        }
        if (now - fencingSinceNanos >= duration.toNanos()) {
            LOG.warn("Lease {}: no confirmation that {}'s pod ended within {} s (its node unreachable?); the broker may "
                    + "open the store now: a master that still runs there has halted at its own deadline, one frozen "
                    + "there must not be resumed", name, fencing, duration.toSeconds());
            return true;
        }
        return false;
    }

    private void stopFencing() {
        if (fence != null) {
            fence.close();
        }
        fence = null;
        fencing = null;
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
