package io.activemqha.labeler.lease;

import io.activemqha.labeler.BrokerActivity;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label's rule in lease mode: the pod is the leader only while its broker answers the probe <em>and</em> this
 * pod holds the group's Lease. Sits between the activity monitor and the label reconciler; the Lease can lapse
 * without any broker event (renewals stop reaching the API server), so {@link #recheck()} is also called on a timer.
 *
 * <p>It also gives the Lease up for a broker that is gone: once the broker, having been active, has neither answered
 * the probe nor asked for the Lease for {@code releaseGrace}. A killed broker never releases it itself, and without
 * this the standby would wait for expiry plus the locker's takeover wait. A live broker renews every
 * {@code lockKeepAlivePeriod}, well inside the grace, so its Lease is never released under it; a broker stopping
 * cleanly releases it itself at the end of its stop.
 */
public final class LeaseGate implements Consumer<BrokerActivity> {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseGate.class);
    private final HeldLease lease;
    private final Duration releaseGrace;
    private final String leaseName;
    private final Consumer<BrokerActivity> sink;
    private final LongSupplier nanoClock;
    private BrokerActivity broker;
    private BrokerActivity forwarded;
    private boolean wasActive;
    private long goneSinceNanos;

    /** What the gate needs of the {@link LeaseKeeper}. */
    public interface HeldLease {
        /** Whether this pod holds the Lease now. */
        boolean holds();

        /** When the broker last asked for the Lease, on the gate's clock. */
        long lastRequestNanos();

        /** Gives the Lease up if held. @throws LeaseStore.LeaseStoreException when the API cannot be asked */
        void release();
    }

    public LeaseGate(HeldLease lease, Duration releaseGrace, String leaseName, Consumer<BrokerActivity> sink,
                     LongSupplier nanoClock) {
        this.lease = lease;
        this.releaseGrace = releaseGrace;
        this.leaseName = leaseName;
        this.sink = sink;
        this.nanoClock = nanoClock;
    }

    /** The monitor's latest finding about the broker. */
    @Override
    public synchronized void accept(BrokerActivity activity) {
        if (activity.active()) {
            wasActive = true;
        } else if (broker == null || broker.active()) {
            goneSinceNanos = nanoClock.getAsLong();
        }
        broker = activity;
        forward(activity);
    }

    /** Re-applies the rule to the last finding: the Lease may have lapsed or been acquired since. */
    public synchronized void recheck() {
        if (broker != null && !broker.active() && wasActive) {
            releaseForGoneBroker();
        }
        if (broker != null) {
            // A change found here happens now, not when the broker was last probed.
            forward(new BrokerActivity(broker.active(), broker.broker(), broker.reason(), nanoClock.getAsLong()));
        }
    }

    private void releaseForGoneBroker() {
        long now = nanoClock.getAsLong();
        long silentSince = Math.max(goneSinceNanos, lease.lastRequestNanos());
        if (now - silentSince < releaseGrace.toNanos() || !lease.holds()) {
            return;
        }
        try {
            lease.release();
            wasActive = false;
            LOG.info("released Lease {}: the broker has neither answered nor asked for {} ms ({})", leaseName,
                    (now - silentSince) / 1_000_000, broker.reason());
        } catch (LeaseStore.LeaseStoreException e) {
            LOG.warn("cannot release Lease {} for the gone broker (retrying; it expires anyway): {}", leaseName, e.getMessage());
        }
    }

    private void forward(BrokerActivity finding) {
        BrokerActivity next = finding;
        if (finding.active() && !lease.holds()) {
            next = new BrokerActivity(false, null, "broker " + finding.brokerText() + " answers, but this pod does not hold"
                    + " Lease " + leaseName + " (not renewed within its duration)", nanoClock.getAsLong());
        }
        // Only changes are forwarded, as the monitor does: a repeated finding must not restart the label latency clock.
        if (forwarded == null || forwarded.active() != next.active() || !Objects.equals(forwarded.broker(), next.broker())) {
            forwarded = next;
            sink.accept(next);
        }
    }
}
