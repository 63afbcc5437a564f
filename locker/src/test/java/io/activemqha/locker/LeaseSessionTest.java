package io.activemqha.locker;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease state machine against a scripted labeler, on a fake monotonic clock. */
class LeaseSessionTest {
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration MARGIN = Duration.ofSeconds(2);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(2);
    private static final String NAME = "brokers/activemq-ha-activemq";

    private final FakeTicker ticker = new FakeTicker();
    private final Labeler labeler = new Labeler();
    private final List<String> log = new ArrayList<>();
    private final List<String> admitted = new ArrayList<>();
    private final LeaseSession session = new LeaseSession(labeler, ticker,
            new LeaseSession.Settings(INTERVAL, TIMEOUT, MARGIN, KEEP_ALIVE), admitted::add, log::add);

    private static Grant held(boolean takenOver) {
        return held(LEASE, takenOver);
    }

    private static Grant held(Duration duration, boolean takenOver) {
        return Grant.heldHere(duration, takenOver, NAME);
    }

    /** Answers from a script; the last answer repeats. Each call records when it was made. */
    private final class Labeler implements LeaseAuthority {
        private final Deque<Object> script = new ArrayDeque<>();
        private final List<Long> calls = new ArrayList<>();
        private final List<String> ids = new ArrayList<>();
        private long answerDelayMillis;
        private int releases;

        Labeler then(Object answer) {
            script.addLast(answer);
            return this;
        }

        @Override
        public Grant acquireOrRenew(String id, Duration timeout) throws IOException {
            ids.add(id);
            calls.add(ticker.millis());
            assertThat(timeout).isEqualTo(TIMEOUT);
            ticker.advanceMillis(answerDelayMillis);
            Object answer = script.size() > 1 ? script.removeFirst() : script.getFirst();
            if (answer instanceof IOException e) {
                throw e;
            }
            return (Grant) answer;
        }

        @Override
        public void release(String id, Duration timeout) {
            ids.add(id);
            releases++;
        }
    }

    @Test
    void aFreeLeaseIsHeldAtOnce() throws Exception {
        labeler.then(held(false));

        assertThat(session.acquire(() -> false)).isTrue();
        assertThat(labeler.calls).hasSize(1);
        assertThat(session.keepAlive()).isTrue();
    }

    @Test
    void whileAnotherPodHoldsItTheBrokerWaitsAndSaysWhoOnce() throws Exception {
        labeler.then(Grant.heldBy("activemq-1")).then(Grant.heldBy("activemq-1")).then(Grant.heldBy("activemq-1"))
                .then(held(false));

        assertThat(session.acquire(() -> false)).isTrue();
        assertThat(labeler.calls).hasSize(4);
        assertThat(labeler.calls.get(3) - labeler.calls.get(0)).isEqualTo(3 * INTERVAL.toMillis());
        assertThat(log).filteredOn(line -> line.contains("held by activemq-1")).hasSize(1);
    }

    @Test
    void afterATakeoverTheBrokerWaitsUntilTheLabelerKnowsThePreviousHolderStoppedRenewingMeanwhile() throws Exception {
        labeler.then(held(true)).then(held(true)).then(held(true)).then(held(false));
        long start = ticker.millis();

        assertThat(session.acquire(() -> false)).isTrue();

        assertThat(labeler.calls).hasSize(4);
        assertThat(ticker.millis() - start).isEqualTo(3 * INTERVAL.toMillis());
        assertThat(log).filteredOn(line -> line.contains("took the Lease " + NAME + " over")).hasSize(1);
        assertThat(admitted).as("the store's record is checked once, at the first grant").containsExactly(NAME);
    }

    @Test
    void aTakeoverThatIsLostDuringTheWaitWaitsAgain() throws Exception {
        labeler.then(held(true)).then(Grant.heldBy("activemq-2")).then(held(true)).then(held(false));

        assertThat(session.acquire(() -> false)).isTrue();

        assertThat(labeler.calls).hasSize(4);
        assertThat(log).filteredOn(line -> line.contains("took the Lease")).hasSize(2);
    }

    @Test
    void impossibleTimingsAreRefusedAtTheFirstGrantNamingTheSettingsAndTheLeaseIsReleased() {
        // lockKeepAlivePeriod 2 s + requestTimeout 0.5 s do not fit in 4 s - 2 s.
        labeler.then(held(Duration.ofSeconds(4), false));

        assertThatThrownBy(() -> session.acquire(() -> false)).isInstanceOf(LeaseSession.Refusal.class)
                .hasMessageContaining("lockKeepAlivePeriod (2000 ms)").hasMessageContaining("requestTimeout (500 ms)")
                .hasMessageContaining("LEASE_DURATION").hasMessageContaining("safetyMargin (2000 ms)");
        assertThat(labeler.releases).isOne();
        assertThat(session.mayActAsMaster()).isFalse();
    }

    @Test
    void justPossibleTimingsAreAccepted() throws Exception {
        // 2 s + 0.5 s below 4.6 s - 2 s.
        labeler.then(held(Duration.ofMillis(4_600), false));

        assertThat(session.acquire(() -> false)).isTrue();
    }

    @Test
    void aStoreGuardedByAnotherLeaseRefusesTheBrokerAndTheLeaseIsReleased() {
        labeler.then(held(false));
        LeaseSession foreign = new LeaseSession(labeler, ticker, new LeaseSession.Settings(INTERVAL, TIMEOUT, MARGIN,
                KEEP_ALIVE), lease -> {
            throw new LeaseSession.Refusal("guarded by another Lease");
        }, log::add);

        assertThatThrownBy(() -> foreign.acquire(() -> false)).hasMessage("guarded by another Lease");
        assertThat(labeler.releases).isOne();
    }

    @Test
    void aStopWhileWaitingEndsTheAcquireWithoutTheLease() throws Exception {
        labeler.then(Grant.heldBy("activemq-1"));
        long stopAt = ticker.millis() + 5_000;

        assertThat(session.acquire(() -> ticker.millis() >= stopAt)).isFalse();
        assertThat(ticker.millis()).isLessThan(stopAt + INTERVAL.toMillis());
    }

    @Test
    void anUnansweredLabelerIsRetriedAtTheAcquireInterval() throws Exception {
        labeler.then(new IOException("connection refused")).then(new IOException("connection refused"))
                .then(held(false));

        assertThat(session.acquire(() -> false)).isTrue();
        assertThat(labeler.calls).hasSize(3);
        assertThat(log).anyMatch(line -> line.contains("connection refused"));
    }

    @Test
    void confirmedRenewalsKeepTheBrokerMaster() throws Exception {
        labeler.then(held(false));
        session.acquire(() -> false);

        for (int i = 0; i < 20; i++) {
            ticker.advanceMillis(2_000);
            assertThat(session.keepAlive()).as("renewal %d", i).isTrue();
        }
    }

    @Test
    void aLeaseHeldElsewhereEndsMastershipAtOnceAndForGood() throws Exception {
        labeler.then(held(false)).then(Grant.heldBy("activemq-2")).then(held(false));
        session.acquire(() -> false);

        assertThat(session.keepAlive()).isFalse();
        // A later grant does not revive this session: ActiveMQ restarts the broker, which acquires anew.
        assertThat(session.keepAlive()).isFalse();
        assertThat(log).anyMatch(line -> line.contains("held by activemq-2"));
    }

    @Test
    void unansweredRenewalsEndMastershipTheDurationMinusTheMarginAfterTheLastConfirmedOneWasSent() throws Exception {
        labeler.then(held(false)).then(new IOException("timed out"));
        session.acquire(() -> false);
        long confirmedSent = ticker.millis();
        long validUntil = confirmedSent + LEASE.minus(MARGIN).toMillis();

        ticker.advanceMillis(LEASE.minus(MARGIN).toMillis() - 1);
        assertThat(session.keepAlive()).as("1 ms before the end").isTrue();
        assertThat(ticker.millis()).isLessThan(validUntil);
        ticker.advanceMillis(1);
        assertThat(session.keepAlive()).as("at the end").isFalse();
        assertThat(log).anyMatch(line -> line.contains("no longer master"));
    }

    @Test
    void aSlowConfirmationCountsFromWhenItWasSentNotWhenItArrived() throws Exception {
        labeler.then(held(false)).then(held(false)).then(new IOException("timed out"));
        session.acquire(() -> false);

        long sent = ticker.millis();
        labeler.answerDelayMillis = 3_000;
        assertThat(session.keepAlive()).isTrue();
        labeler.answerDelayMillis = 0;
        // Valid until sent + 8 s, not until its arrival (sent + 3 s) + 8 s.
        ticker.advanceMillis(sent + LEASE.minus(MARGIN).toMillis() - ticker.millis());
        assertThat(session.keepAlive()).isFalse();
    }

    @Test
    void aBrokerFrozenLongerThanTheLeaseLearnsAtItsNextKeepAliveThatTheLeaseMovedOn() throws Exception {
        labeler.then(held(false)).then(Grant.heldBy("activemq-1"));
        session.acquire(() -> false);

        ticker.advanceMillis(60_000);

        assertThat(session.keepAlive()).isFalse();
    }

    /**
     * A lapse is final: a master frozen past its validity whose labeler then grants the Lease again (it had been
     * released and taken afresh meanwhile) must not carry on, since another master may have written the store.
     */
    @Test
    void aJumpPastTheValidityFollowedByASuccessfulGrantEndsMastershipForGood() throws Exception {
        labeler.then(held(false));
        session.acquire(() -> false);

        ticker.advanceMillis(LEASE.minus(MARGIN).toMillis());

        assertThat(session.mayActAsMaster()).isFalse();
        assertThat(session.keepAlive()).as("the grant that follows the lapse").isFalse();
        assertThat(labeler.calls).as("no renewal is even sent once the validity ran out").hasSize(1);
        ticker.advanceMillis(100);
        assertThat(session.keepAlive()).isFalse();
        assertThat(session.mayActAsMaster()).isFalse();
        assertThat(session.remainingNanos()).isNotPositive();
    }

    @Test
    void aRenewalAnsweredAsATakeoverMeansAnotherHolderWasMasterInBetween() throws Exception {
        labeler.then(held(false)).then(held(true));
        session.acquire(() -> false);

        assertThat(session.keepAlive()).isFalse();
        assertThat(session.mayActAsMaster()).isFalse();
    }

    @Test
    void everyRequestNamesTheBrokerProcessBySessionAndANewSessionHasANewId() throws Exception {
        labeler.then(held(false));
        session.acquire(() -> false);
        session.keepAlive();
        session.release();

        assertThat(labeler.ids).hasSize(3).containsOnly(session.id());
        assertThat(new LeaseSession(labeler, ticker, new LeaseSession.Settings(INTERVAL, TIMEOUT, MARGIN, KEEP_ALIVE),
                admitted::add, log::add).id()).isNotEqualTo(session.id());
    }

    @Test
    void releaseIsBestEffort() throws Exception {
        labeler.then(held(false));
        session.acquire(() -> false);

        session.release();

        assertThat(labeler.releases).isOne();
    }
}
