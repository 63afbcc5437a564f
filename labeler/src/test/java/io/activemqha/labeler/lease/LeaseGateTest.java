package io.activemqha.labeler.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.labeler.BrokerActivity;
import io.activemqha.labeler.probe.BrokerIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Lease mode's label rule: leader only while the broker answers and the pod holds the Lease. */
class LeaseGateTest {
    private final AtomicBoolean holds = new AtomicBoolean();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicBoolean brokerEnded = new AtomicBoolean();
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicBoolean apiDown = new AtomicBoolean();
    private final List<BrokerActivity> label = new ArrayList<>();
    private final LeaseGate.HeldLease lease = new LeaseGate.HeldLease() {
        @Override
        public boolean holds() {
            return holds.get();
        }

        @Override
        public boolean releaseIfBrokerEnded() {
            if (!brokerEnded.get() || !holds.get()) {
                return false;
            }
            if (apiDown.get()) {
                throw new LeaseStore.LeaseStoreException("cannot update Lease: connection refused", null);
            }
            releases.incrementAndGet();
            holds.set(false);
            return true;
        }
    };
    private final LeaseGate gate = new LeaseGate(lease, "activemq-ha-activemq", label::add, nanos::get);
    private final BrokerActivity active = new BrokerActivity(true, new BrokerIdentity("b", "id-1"), "handshake completed", 10);
    private final BrokerActivity inactive = new BrokerActivity(false, null, "connection refused", 20);

    @Test
    void anActiveBrokerWhosePodHoldsTheLeaseIsTheLeader() {
        holds.set(true);
        gate.accept(active);
        assertThat(label).containsExactly(active);
        gate.accept(inactive);
        assertThat(label).containsExactly(active, inactive);
    }

    @Test
    void anActiveBrokerWithoutTheLeaseIsNotTheLeaderAndTheReasonSaysWhy() {
        gate.accept(active);
        assertThat(label).singleElement().satisfies(a -> {
            assertThat(a.active()).isFalse();
            assertThat(a.reason()).contains("does not hold Lease activemq-ha-activemq");
        });
    }

    @Test
    void aLapsedLeaseDemotesOnTheNextRecheckAndARenewedOnePromotesAgain() {
        holds.set(true);
        gate.accept(active);
        gate.recheck();
        assertThat(label).as("nothing changed: nothing forwarded").hasSize(1);

        holds.set(false);
        nanos.set(5_000);
        gate.recheck();
        assertThat(label).hasSize(2);
        assertThat(label.get(1).active()).isFalse();
        assertThat(label.get(1).detectedAtNanos()).as("found by the recheck, now").isEqualTo(5_000);
        gate.recheck();
        assertThat(label).hasSize(2);

        holds.set(true);
        nanos.set(9_000);
        gate.recheck();
        assertThat(label).hasSize(3);
        assertThat(label.get(2).active()).isTrue();
        assertThat(label.get(2).broker()).isEqualTo(active.broker());
        assertThat(label.get(2).detectedAtNanos()).isEqualTo(9_000);
    }

    @Test
    void aRecheckBeforeAnyProbeForwardsNothing() {
        holds.set(true);
        gate.recheck();
        assertThat(label).isEmpty();
    }

    @Test
    void anInactiveBrokerStaysInactiveWhateverTheLease() {
        holds.set(true);
        gate.accept(inactive);
        holds.set(false);
        gate.recheck();
        assertThat(label).containsExactly(inactive);
    }

    @Test
    void everyRecheckAsksTheKeeperToReleaseForAnEndedBrokerAndTheLabelFollows() {
        holds.set(true);
        gate.accept(active);
        gate.recheck();
        assertThat(releases).as("the broker runs").hasValue(0);

        brokerEnded.set(true);
        gate.recheck();

        assertThat(releases).hasValue(1);
        assertThat(label).last().satisfies(a -> assertThat(a.active()).isFalse());
        gate.recheck();
        assertThat(releases).as("once").hasValue(1);
    }

    @Test
    void aFailedReleaseIsRetriedAtTheNextRecheckAndTheLabelStaysNo() {
        holds.set(true);
        gate.accept(active);
        gate.accept(inactive);
        brokerEnded.set(true);
        apiDown.set(true);
        gate.recheck();
        assertThat(releases).hasValue(0);
        apiDown.set(false);
        gate.recheck();
        assertThat(releases).hasValue(1);
        assertThat(label).last().satisfies(a -> assertThat(a.active()).isFalse());
    }
}
