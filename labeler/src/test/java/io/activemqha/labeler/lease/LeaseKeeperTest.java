package io.activemqha.labeler.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The labeler's lease state machine against an in-memory API, on a fake monotonic clock. */
class LeaseKeeperTest {
    private static final String LEASE = "activemq-ha-activemq";
    private static final Duration DURATION = Duration.ofSeconds(15);

    private final MemoryLeaseStore store = new MemoryLeaseStore();
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    /** Deliberately far from the fake monotonic clock, and frozen: the keeper must never compare the two. */
    private final Clock wall = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
    private final LeaseKeeper zero = keeper("activemq-0");
    private final LeaseKeeper one = keeper("activemq-1");

    private LeaseKeeper keeper(String pod) {
        return new LeaseKeeper(store, LEASE, pod, DURATION, nanos::get, wall);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void theFirstToAskCreatesTheLeaseAndHoldsIt() {
        assertThat(zero.acquireOrRenew()).isEqualTo(new LeaseAnswer.Held(DURATION, false));
        assertThat(store.get(LEASE).holder()).isEqualTo("activemq-0");
        assertThat(store.get(LEASE).duration()).isEqualTo(DURATION);
        assertThat(zero.holds()).isTrue();
        assertThat(one.acquireOrRenew()).isEqualTo(new LeaseAnswer.HeldElsewhere("activemq-0"));
        assertThat(one.holds()).isFalse();
    }

    @Test
    void aHolderThatKeepsRenewingKeepsItForever() {
        zero.acquireOrRenew();
        for (int i = 0; i < 30; i++) {
            advance(Duration.ofSeconds(2));
            assertThat(zero.acquireOrRenew()).isInstanceOf(LeaseAnswer.Held.class);
            assertThat(one.acquireOrRenew()).as("round %d", i).isEqualTo(new LeaseAnswer.HeldElsewhere("activemq-0"));
        }
        assertThat(store.get(LEASE).transitions()).isZero();
    }

    @Test
    void aHolderThatStopsRenewingIsTakenOverOneDurationAfterTheStandbyLastSawItChange() {
        zero.acquireOrRenew();
        advance(Duration.ofSeconds(1));
        assertThat(one.acquireOrRenew()).isInstanceOf(LeaseAnswer.HeldElsewhere.class);

        advance(DURATION.minusMillis(1));
        assertThat(one.acquireOrRenew()).as("1 ms early").isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        advance(Duration.ofMillis(1));
        assertThat(one.acquireOrRenew()).isEqualTo(new LeaseAnswer.Held(DURATION, true));
        assertThat(store.get(LEASE).holder()).isEqualTo("activemq-1");
        assertThat(store.get(LEASE).transitions()).isOne();
        // The old holder, asking again, learns it lost the Lease.
        assertThat(zero.acquireOrRenew()).isEqualTo(new LeaseAnswer.HeldElsewhere("activemq-1"));
    }

    @Test
    void aStandbyThatStartsLateWaitsAFullDurationWhateverTheRenewTimeSays() {
        // The holder's renewTime is its own clock's, maybe far behind ours: only a change of the record counts.
        store.writeAsAnother(LEASE, "activemq-0", Instant.parse("2020-01-01T00:00:00Z"));

        assertThat(one.acquireOrRenew()).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        advance(DURATION.minusSeconds(1));
        assertThat(one.acquireOrRenew()).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        advance(Duration.ofSeconds(1));
        assertThat(one.acquireOrRenew()).isEqualTo(new LeaseAnswer.Held(DURATION, true));
    }

    @Test
    void everyRenewalByTheHolderRestartsTheStandbysCount() {
        store.writeAsAnother(LEASE, "activemq-0", wall.instant());
        one.acquireOrRenew();
        for (int i = 0; i < 5; i++) {
            advance(DURATION.minusSeconds(1));
            store.writeAsAnother(LEASE, "activemq-0", wall.instant().plusSeconds(i + 1));
            assertThat(one.acquireOrRenew()).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        }
    }

    @Test
    void aReleasedLeaseIsTakenAtOnceAndIsNoTakeover() {
        zero.acquireOrRenew();
        one.acquireOrRenew();

        zero.release();

        assertThat(store.get(LEASE).holder()).isEmpty();
        assertThat(zero.holds()).isFalse();
        assertThat(one.acquireOrRenew()).isEqualTo(new LeaseAnswer.Held(DURATION, false));
        assertThat(store.get(LEASE).transitions()).isOne();
    }

    @Test
    void releaseLeavesAnotherPodsLeaseAlone() {
        zero.acquireOrRenew();
        int writes = store.writes;

        one.release();

        assertThat(store.get(LEASE).holder()).isEqualTo("activemq-0");
        assertThat(store.writes).isEqualTo(writes);
    }

    @Test
    void whenTwoStandbysRaceForAnExpiredLeaseOnlyOneWins() {
        LeaseKeeper two = keeper("activemq-2");
        zero.acquireOrRenew();
        one.acquireOrRenew();
        two.acquireOrRenew();
        advance(DURATION);

        LeaseAnswer first = one.acquireOrRenew();
        LeaseAnswer second = two.acquireOrRenew();

        assertThat(first).isEqualTo(new LeaseAnswer.Held(DURATION, true));
        assertThat(second).isEqualTo(new LeaseAnswer.HeldElsewhere("activemq-1"));
    }

    @Test
    void aWriteThatLosesARaceIsNoGrant() {
        zero.acquireOrRenew();
        one.acquireOrRenew();
        advance(DURATION);
        assertThat(one.acquireOrRenew()).as("unchanged for a duration: taken over").isInstanceOf(LeaseAnswer.Held.class);
        // zero's labeler renews from a stale read: its conditional update must fail.
        LeaseStore stale = new LeaseStore() {
            @Override
            public java.util.Optional<LeaseRecord> read(String name) {
                return java.util.Optional.of(new LeaseRecord("activemq-0", DURATION, wall.instant(), 0, "1"));
            }

            @Override
            public boolean create(String name, LeaseRecord lease) {
                return store.create(name, lease);
            }

            @Override
            public boolean update(String name, LeaseRecord lease) {
                return store.update(name, lease);
            }
        };
        LeaseKeeper staleZero = new LeaseKeeper(stale, LEASE, "activemq-0", DURATION, nanos::get, wall);

        assertThat(staleZero.acquireOrRenew()).isInstanceOf(LeaseAnswer.Unknown.class);
        assertThat(store.get(LEASE).holder()).isEqualTo("activemq-1");
        assertThat(staleZero.holds()).isFalse();
    }

    @Test
    void anUnreachableApiIsAnUnknownWithTheReasonAndNoGrant() {
        zero.acquireOrRenew();
        advance(DURATION);
        store.down("connect timed out");

        assertThat(zero.acquireOrRenew()).isEqualTo(new LeaseAnswer.Unknown("connect timed out"));
        assertThat(zero.holds()).as("the last grant has expired").isFalse();
    }

    @Test
    void holdsFollowsTheLastGrantForOneDurationCountedFromBeforeItWasWritten() {
        zero.acquireOrRenew();
        advance(DURATION.minusMillis(1));
        assertThat(zero.holds()).isTrue();
        advance(Duration.ofMillis(1));
        assertThat(zero.holds()).isFalse();
    }
}
