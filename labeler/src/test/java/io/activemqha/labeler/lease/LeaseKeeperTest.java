package io.activemqha.labeler.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The labeler's lease state machine against an in-memory API, on a fake monotonic clock. */
class LeaseKeeperTest {
    private static final String LEASE = "activemq-ha-activemq";
    private static final Duration DURATION = Duration.ofSeconds(15);
    private static final String S0 = "session-of-activemq-0";
    private static final String S1 = "session-of-activemq-1";
    private static final String ZERO = "activemq-0_uid-0";
    private static final String ONE = "activemq-1_uid-1";

    private final MemoryLeaseStore store = new MemoryLeaseStore();
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    /** Deliberately far from the fake monotonic clock, and frozen: the keeper must never compare the two. */
    private final Clock wall = Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC);
    /** What each pod's API view says: its UID and its running lease-locker containers. */
    private final Map<String, OwnPod> pods = new HashMap<>();
    /** Fences started, by holder identity, with whether the kubelet confirmed the end. */
    private final Map<String, AtomicBoolean> fences = new HashMap<>();
    private final List<String> fenced = new ArrayList<>();
    private final HolderFencer fencer = holder -> {
        fenced.add(holder);
        AtomicBoolean confirmed = fences.computeIfAbsent(holder, h -> new AtomicBoolean());
        return new HolderFencer.Fencing() {
            @Override
            public boolean confirmed() {
                return confirmed.get();
            }

            @Override
            public void close() {
            }
        };
    };
    private final LeaseKeeper zero = keeper("activemq-0", "uid-0", "containerd://broker-0");
    private final LeaseKeeper one = keeper("activemq-1", "uid-1", "containerd://broker-1");

    private LeaseKeeper keeper(String pod, String uid, String brokerContainer) {
        pods.put(pod, new OwnPod(uid, Set.of(brokerContainer)));
        return new LeaseKeeper(store, LEASE, pod, () -> Optional.ofNullable(pods.get(pod)), fencer, DURATION, nanos::get,
                wall);
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    private static LeaseAnswer held(boolean takenOver) {
        return new LeaseAnswer.Held(DURATION, takenOver);
    }

    @Test
    void theFirstToAskCreatesTheLeaseAndHoldsIt() {
        assertThat(zero.acquireOrRenew(S0)).isEqualTo(held(false));
        assertThat(store.get(LEASE).holder()).as("the pod's name and UID").isEqualTo(ZERO);
        assertThat(store.get(LEASE).duration()).isEqualTo(DURATION);
        assertThat(zero.holds()).isTrue();
        assertThat(one.acquireOrRenew(S1)).isEqualTo(new LeaseAnswer.HeldElsewhere(ZERO));
        assertThat(one.holds()).isFalse();
    }

    @Test
    void aHolderThatKeepsRenewingKeepsItForever() {
        zero.acquireOrRenew(S0);
        for (int i = 0; i < 30; i++) {
            advance(Duration.ofSeconds(2));
            assertThat(zero.acquireOrRenew(S0)).isInstanceOf(LeaseAnswer.Held.class);
            assertThat(one.acquireOrRenew(S1)).as("round %d", i).isEqualTo(new LeaseAnswer.HeldElsewhere(ZERO));
        }
        assertThat(store.get(LEASE).transitions()).isZero();
    }

    @Test
    void aHolderThatStopsRenewingIsTakenOverOneDurationAfterTheStandbyLastSawItChange() {
        zero.acquireOrRenew(S0);
        advance(Duration.ofSeconds(1));
        assertThat(one.acquireOrRenew(S1)).isInstanceOf(LeaseAnswer.HeldElsewhere.class);

        advance(DURATION.minusMillis(1));
        assertThat(one.acquireOrRenew(S1)).as("1 ms early").isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        advance(Duration.ofMillis(1));
        assertThat(one.acquireOrRenew(S1)).isEqualTo(held(true));
        assertThat(store.get(LEASE).holder()).isEqualTo(ONE);
        assertThat(store.get(LEASE).transitions()).isOne();
        assertThat(store.get(LEASE).unfenced()).as("the holder taken over, until its end is confirmed").isEqualTo(ZERO);
        assertThat(fenced).containsExactly(ZERO);
        // The old holder, asking again, learns it lost the Lease.
        assertThat(zero.acquireOrRenew(S0)).isEqualTo(new LeaseAnswer.HeldElsewhere(ONE));
    }

    @Test
    void aStandbyThatStartsLateWaitsAFullDurationWhateverTheRenewTimeSays() {
        // The holder's renewTime is its own clock's, maybe far behind ours: only a change of the record counts.
        store.writeAsAnother(LEASE, ZERO, Instant.parse("2020-01-01T00:00:00Z"));

        assertThat(one.acquireOrRenew(S1)).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        advance(DURATION.minusSeconds(1));
        assertThat(one.acquireOrRenew(S1)).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        advance(Duration.ofSeconds(1));
        assertThat(one.acquireOrRenew(S1)).isEqualTo(held(true));
    }

    @Test
    void everyRenewalByTheHolderRestartsTheStandbysCount() {
        store.writeAsAnother(LEASE, ZERO, wall.instant());
        one.acquireOrRenew(S1);
        for (int i = 0; i < 5; i++) {
            advance(DURATION.minusSeconds(1));
            store.writeAsAnother(LEASE, ZERO, wall.instant().plusSeconds(i + 1));
            assertThat(one.acquireOrRenew(S1)).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        }
    }

    @Test
    void aReleasedLeaseIsTakenAtOnceAndIsNoTakeover() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);

        zero.release(S0);

        assertThat(store.get(LEASE).holder()).isEmpty();
        assertThat(zero.holds()).isFalse();
        assertThat(one.acquireOrRenew(S1)).isEqualTo(held(false));
        assertThat(store.get(LEASE).transitions()).isOne();
    }

    @Test
    void releaseLeavesAnotherPodsLeaseAlone() {
        zero.acquireOrRenew(S0);
        int writes = store.writes;

        one.release(S1);

        assertThat(store.get(LEASE).holder()).isEqualTo(ZERO);
        assertThat(store.writes).isEqualTo(writes);
    }

    @Test
    void whenTwoStandbysRaceForAnExpiredLeaseOnlyOneWins() {
        LeaseKeeper two = keeper("activemq-2", "uid-2", "containerd://broker-2");
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);
        two.acquireOrRenew("session-of-activemq-2");
        advance(DURATION);

        LeaseAnswer first = one.acquireOrRenew(S1);
        LeaseAnswer second = two.acquireOrRenew("session-of-activemq-2");

        assertThat(first).isEqualTo(held(true));
        assertThat(second).isEqualTo(new LeaseAnswer.HeldElsewhere(ONE));
    }

    @Test
    void aWriteThatLosesARaceIsNoGrant() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);
        advance(DURATION);
        assertThat(one.acquireOrRenew(S1)).as("unchanged for a duration: taken over").isInstanceOf(LeaseAnswer.Held.class);
        // zero's labeler renews from a stale read: its conditional update must fail.
        LeaseStore stale = new LeaseStore() {
            @Override
            public java.util.Optional<LeaseRecord> read(String name) {
                return java.util.Optional.of(new LeaseRecord(ZERO, DURATION, wall.instant(), 0, "1"));
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
        LeaseKeeper staleZero = new LeaseKeeper(stale, LEASE, "activemq-0", () -> Optional.of(pods.get("activemq-0")),
                fencer, DURATION, nanos::get, wall);

        assertThat(staleZero.acquireOrRenew(S0)).isInstanceOf(LeaseAnswer.Unknown.class);
        assertThat(store.get(LEASE).holder()).isEqualTo(ONE);
        assertThat(staleZero.holds()).isFalse();
    }

    @Test
    void anUnreachableApiIsAnUnknownWithTheReasonAndNoGrant() {
        zero.acquireOrRenew(S0);
        advance(DURATION);
        store.down("connect timed out");

        assertThat(zero.acquireOrRenew(S0)).isEqualTo(new LeaseAnswer.Unknown("connect timed out"));
        assertThat(zero.holds()).as("the last grant has expired").isFalse();
    }

    @Test
    void holdsFollowsTheLastGrantForOneDurationCountedFromBeforeItWasWritten() {
        zero.acquireOrRenew(S0);
        advance(DURATION.minusMillis(1));
        assertThat(zero.holds()).isTrue();
        advance(Duration.ofMillis(1));
        assertThat(zero.holds()).isFalse();
    }

    @Test
    void afterATakeoverTheGrantSaysTakenOverUntilTheKubeletConfirmsThePreviousHoldersEnd() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);
        advance(DURATION);
        assertThat(one.acquireOrRenew(S1)).isEqualTo(held(true));

        for (int i = 0; i < 5; i++) {
            advance(Duration.ofSeconds(1));
            assertThat(one.acquireOrRenew(S1)).as("renewal %d while unconfirmed", i).isEqualTo(held(true));
        }
        fences.get(ZERO).set(true);

        assertThat(one.acquireOrRenew(S1)).isEqualTo(held(false));
        assertThat(store.get(LEASE).unfenced()).isEmpty();
        assertThat(fenced).as("one fence for one takeover").containsExactly(ZERO);
    }

    @Test
    void anUnconfirmedFenceEndsOneDurationAfterItStartedNotBefore() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);
        advance(DURATION);
        one.acquireOrRenew(S1);

        advance(DURATION.minusMillis(1));
        assertThat(one.acquireOrRenew(S1)).as("1 ms early").isEqualTo(held(true));
        advance(Duration.ofMillis(1));
        assertThat(one.acquireOrRenew(S1)).isEqualTo(held(false));
        assertThat(store.get(LEASE).unfenced()).isEmpty();
    }

    @Test
    void aRestartedLabelerResumesTheFenceRecordedInTheLease() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);
        advance(DURATION);
        one.acquireOrRenew(S1);
        LeaseKeeper restarted = keeper("activemq-1", "uid-1", "containerd://broker-1");
        fenced.clear();

        assertThat(restarted.acquireOrRenew(S1)).isEqualTo(held(true));
        assertThat(fenced).containsExactly(ZERO);
        advance(DURATION);
        assertThat(restarted.acquireOrRenew(S1)).isEqualTo(held(false));
    }

    @Test
    void aReleaseDuringAnUnconfirmedFenceHandsTheFenceToTheNextHolder() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);
        advance(DURATION);
        one.acquireOrRenew(S1);
        one.release(S1);
        assertThat(store.get(LEASE).unfenced()).isEqualTo(ZERO);
        LeaseKeeper two = keeper("activemq-2", "uid-2", "containerd://broker-2");

        assertThat(two.acquireOrRenew("s2")).as("a free Lease, but a holder still to fence").isEqualTo(held(true));
        assertThat(fenced).containsExactly(ZERO, ZERO);
    }

    @Test
    void aPodRecreatedUnderTheSameNameIsANewHolderThatWaitsForExpiry() {
        zero.acquireOrRenew(S0);
        LeaseKeeper recreated = keeper("activemq-0", "uid-0-new", "containerd://broker-0-new");

        assertThat(recreated.acquireOrRenew("new-session")).isEqualTo(new LeaseAnswer.HeldElsewhere(ZERO));
        advance(DURATION);
        assertThat(recreated.acquireOrRenew("new-session")).isEqualTo(held(true));
        assertThat(store.get(LEASE).holder()).isEqualTo("activemq-0_uid-0-new");
        assertThat(fenced).as("the old incarnation is fenced by its UID").containsExactly(ZERO);
    }

    @Test
    void aNewBrokerProcessOfThisPodWaitsUntilTheKubeletReportsThePreviousOneEnded() {
        zero.acquireOrRenew(S0);

        LeaseAnswer meanwhile = zero.acquireOrRenew("restarted");
        assertThat(meanwhile).isInstanceOf(LeaseAnswer.HeldElsewhere.class);
        assertThat(((LeaseAnswer.HeldElsewhere) meanwhile).holder()).contains("another broker process of this pod");
        assertThat(zero.acquireOrRenew(S0)).as("the first process still renews").isEqualTo(held(false));

        pods.put("activemq-0", new OwnPod("uid-0", Set.of("containerd://broker-0-restarted")));
        assertThat(zero.acquireOrRenew("restarted")).isEqualTo(held(false));
        assertThat(zero.acquireOrRenew(S0)).as("the old process, if it somehow asked again")
                .isInstanceOf(LeaseAnswer.HeldElsewhere.class);
    }

    @Test
    void theLeaseIsReleasedForTheBrokerOnlyWhenTheKubeletReportsItsContainerEnded() {
        zero.acquireOrRenew(S0);
        one.acquireOrRenew(S1);

        advance(DURATION.minusSeconds(1));
        assertThat(zero.releaseIfBrokerEnded()).as("silent but running (maybe paused): kept").isFalse();
        assertThat(store.get(LEASE).holder()).isEqualTo(ZERO);

        pods.put("activemq-0", new OwnPod("uid-0", Set.of()));
        assertThat(zero.releaseIfBrokerEnded()).isTrue();
        assertThat(store.get(LEASE).holder()).isEmpty();
        assertThat(one.acquireOrRenew(S1)).as("free: the old process is dead").isEqualTo(held(false));
    }

    @Test
    void aRestartedContainerAlsoCountsAsEndedAndARequestFromItAfterTheReleaseTakesTheLeaseFree() {
        zero.acquireOrRenew(S0);
        pods.put("activemq-0", new OwnPod("uid-0", Set.of("containerd://broker-0-restarted")));

        assertThat(zero.releaseIfBrokerEnded()).isTrue();
        assertThat(zero.acquireOrRenew("restarted")).isEqualTo(held(false));
        assertThat(zero.releaseIfBrokerEnded()).as("the new process runs").isFalse();
    }

    @Test
    void aReleaseByAnOlderProcessOfThisPodLeavesTheNewOnesLeaseAlone() {
        zero.acquireOrRenew(S0);
        pods.put("activemq-0", new OwnPod("uid-0", Set.of("containerd://broker-0-restarted")));
        zero.acquireOrRenew("restarted");

        zero.release(S0);

        assertThat(store.get(LEASE).holder()).isEqualTo(ZERO);
        assertThat(zero.holds()).isTrue();
    }

    @Test
    void withoutItsOwnPodReadTheKeeperCannotTell() {
        pods.remove("activemq-0");

        assertThat(zero.acquireOrRenew(S0)).isInstanceOf(LeaseAnswer.Unknown.class);
        assertThat(store.get(LEASE)).isNull();
    }
}
