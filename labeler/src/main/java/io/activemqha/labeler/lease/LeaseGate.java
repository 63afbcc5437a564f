package io.activemqha.labeler.lease;

import io.activemqha.labeler.BrokerActivity;
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
 * <p>At each re-check it also gives the Lease up for a broker whose container the kubelet reports ended
 * ({@link HeldLease#releaseIfBrokerEnded}): a killed broker never releases it itself, and the standby may open the
 * store at once only when the old process is known dead. Silence alone never releases it: a silent broker may be
 * paused, and would resume next to the new master.
 */
public final class LeaseGate implements Consumer<BrokerActivity> {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseGate.class);
    private final HeldLease lease;
    private final String leaseName;
    private final Consumer<BrokerActivity> sink;
    private final LongSupplier nanoClock;
    private BrokerActivity broker;
    private BrokerActivity forwarded;

    /** What the gate needs of the {@link LeaseKeeper}. */
    public interface HeldLease {
        /** Whether this pod holds the Lease now. */
        boolean holds();

        /**
         * Gives the Lease up if the kubelet reports that the broker process it was granted to ended.
         *
         * @throws LeaseStore.LeaseStoreException when the API cannot be asked
         */
        boolean releaseIfBrokerEnded();
    }

    public LeaseGate(HeldLease lease, String leaseName, Consumer<BrokerActivity> sink, LongSupplier nanoClock) {
        this.lease = lease;
        this.leaseName = leaseName;
        this.sink = sink;
        this.nanoClock = nanoClock;
    }

    /** The monitor's latest finding about the broker. */
    @Override
    public synchronized void accept(BrokerActivity activity) {
        broker = activity;
        forward(activity);
    }

    /** Re-applies the rule to the last finding: the Lease may have lapsed or been acquired since. */
    public synchronized void recheck() {
        try {
            lease.releaseIfBrokerEnded();
        } catch (LeaseStore.LeaseStoreException e) {
            LOG.warn("cannot release Lease {} for the ended broker (retrying; it expires anyway): {}", leaseName,
                    e.getMessage());
        }
        if (broker != null) {
            // A change found here happens now, not when the broker was last probed.
            forward(new BrokerActivity(broker.active(), broker.broker(), broker.reason(), nanoClock.getAsLong()));
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
