package io.activemqha.labeler.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.labeler.BrokerActivity;
import io.activemqha.labeler.probe.BrokerIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Lease mode's label rule: leader only while the broker answers and the pod holds the Lease. */
class LeaseGateTest {
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final AtomicBoolean holds = new AtomicBoolean();
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicLong lastRequest = new AtomicLong(Long.MIN_VALUE);
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicBoolean apiDown = new AtomicBoolean();
    private final List<BrokerActivity> label = new ArrayList<>();
    private final LeaseGate.HeldLease lease = new LeaseGate.HeldLease() {
        @Override
        public boolean holds() {
            return holds.get();
        }

        @Override
        public long lastRequestNanos() {
            return lastRequest.get();
        }

        @Override
        public void release() {
            if (apiDown.get()) {
                throw new LeaseStore.LeaseStoreException("cannot update Lease: connection refused", null);
            }
            releases.incrementAndGet();
            holds.set(false);
        }
    };
    private final LeaseGate gate = new LeaseGate(lease, GRACE, "activemq-ha-activemq", label::add, nanos::get);
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

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aBrokerGoneForTheGraceWithoutAskingHasItsLeaseReleased() {
        holds.set(true);
        lastRequest.set(nanos.get());
        gate.accept(active);
        advance(Duration.ofSeconds(1));
        gate.accept(inactive);
        advance(GRACE.minusMillis(1));
        gate.recheck();
        assertThat(releases).as("1 ms before the grace ends").hasValue(0);
        advance(Duration.ofMillis(1));
        gate.recheck();
        assertThat(releases).hasValue(1);
        advance(GRACE.multipliedBy(3));
        gate.recheck();
        assertThat(releases).as("once").hasValue(1);
    }

    @Test
    void aBrokerThatStillAsksKeepsItsLeaseThoughItsProbeFails() {
        holds.set(true);
        gate.accept(active);
        gate.accept(inactive);
        for (int i = 0; i < 20; i++) {
            advance(Duration.ofSeconds(2));
            lastRequest.set(nanos.get());
            gate.recheck();
        }
        assertThat(releases).hasValue(0);
        advance(GRACE);
        gate.recheck();
        assertThat(releases).as("silent for the grace since its last request").hasValue(1);
    }

    @Test
    void aBrokerThatNeverWasActiveHereHasNothingReleased() {
        holds.set(true);
        gate.accept(inactive);
        advance(GRACE.multipliedBy(2));
        gate.recheck();
        assertThat(releases).as("a starting broker may hold the Lease before it opens its ports").hasValue(0);
    }

    @Test
    void aFailedReleaseIsRetriedAndTheLabelStaysNo() {
        holds.set(true);
        gate.accept(active);
        gate.accept(inactive);
        apiDown.set(true);
        advance(GRACE);
        gate.recheck();
        assertThat(releases).hasValue(0);
        apiDown.set(false);
        gate.recheck();
        assertThat(releases).hasValue(1);
        assertThat(label).last().satisfies(a -> assertThat(a.active()).isFalse());
    }
}
