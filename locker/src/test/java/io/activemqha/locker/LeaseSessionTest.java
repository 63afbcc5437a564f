package io.activemqha.locker;

import static org.assertj.core.api.Assertions.assertThat;

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

    private final FakeTicker ticker = new FakeTicker();
    private final Labeler labeler = new Labeler();
    private final List<String> log = new ArrayList<>();
    private final LeaseSession session = new LeaseSession(labeler, ticker, INTERVAL, TIMEOUT, MARGIN, log::add);

    /** Answers from a script; the last answer repeats. Each call records when it was made. */
    private final class Labeler implements LeaseAuthority {
        private final Deque<Object> script = new ArrayDeque<>();
        private final List<Long> calls = new ArrayList<>();
        private long answerDelayMillis;
        private int releases;

        Labeler then(Object answer) {
            script.addLast(answer);
            return this;
        }

        @Override
        public Grant acquireOrRenew(Duration timeout) throws IOException {
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
        public void release(Duration timeout) {
            releases++;
        }
    }

    @Test
    void aFreeLeaseIsHeldAtOnce() throws Exception {
        labeler.then(Grant.heldHere(LEASE, false));

        assertThat(session.acquire(() -> false)).isTrue();
        assertThat(labeler.calls).hasSize(1);
        assertThat(session.keepAlive()).isTrue();
    }

    @Test
    void whileAnotherPodHoldsItTheBrokerWaitsAndSaysWhoOnce() throws Exception {
        labeler.then(Grant.heldBy("activemq-1")).then(Grant.heldBy("activemq-1")).then(Grant.heldBy("activemq-1"))
                .then(Grant.heldHere(LEASE, false));

        assertThat(session.acquire(() -> false)).isTrue();
        assertThat(labeler.calls).hasSize(4);
        assertThat(labeler.calls.get(3) - labeler.calls.get(0)).isEqualTo(3 * INTERVAL.toMillis());
        assertThat(log).filteredOn(line -> line.contains("held by activemq-1")).hasSize(1);
    }

    @Test
    void afterATakeoverTheBrokerWaitsOneLeaseDurationRenewingMeanwhile() throws Exception {
        labeler.then(Grant.heldHere(LEASE, true)).then(Grant.heldHere(LEASE, false));
        long start = ticker.millis();

        assertThat(session.acquire(() -> false)).isTrue();

        assertThat(ticker.millis() - start).isGreaterThanOrEqualTo(LEASE.toMillis());
        // The labeler renews only while its broker asks: every acquire interval during the wait.
        assertThat(labeler.calls).hasSizeGreaterThanOrEqualTo((int) (LEASE.toMillis() / INTERVAL.toMillis()));
        for (int i = 1; i < labeler.calls.size(); i++) {
            assertThat(labeler.calls.get(i) - labeler.calls.get(i - 1)).isLessThanOrEqualTo(INTERVAL.toMillis());
        }
        assertThat(log).anyMatch(line -> line.contains("took the Lease over"));
    }

    @Test
    void aTakeoverThatIsLostDuringTheWaitStartsTheWaitingOver() throws Exception {
        labeler.then(Grant.heldHere(LEASE, true)).then(Grant.heldBy("activemq-2")).then(Grant.heldHere(LEASE, true))
                .then(Grant.heldHere(LEASE, false));
        long start = ticker.millis();

        assertThat(session.acquire(() -> false)).isTrue();

        // Held from the second takeover (at +2 s) for one full duration.
        assertThat(ticker.millis() - start).isGreaterThanOrEqualTo(2 * INTERVAL.toMillis() + LEASE.toMillis());
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
                .then(Grant.heldHere(LEASE, false));

        assertThat(session.acquire(() -> false)).isTrue();
        assertThat(labeler.calls).hasSize(3);
        assertThat(log).anyMatch(line -> line.contains("connection refused"));
    }

    @Test
    void confirmedRenewalsKeepTheBrokerMaster() throws Exception {
        labeler.then(Grant.heldHere(LEASE, false));
        session.acquire(() -> false);

        for (int i = 0; i < 20; i++) {
            ticker.advanceMillis(2_000);
            assertThat(session.keepAlive()).as("renewal %d", i).isTrue();
        }
    }

    @Test
    void aLeaseHeldElsewhereEndsMastershipAtOnceAndForGood() throws Exception {
        labeler.then(Grant.heldHere(LEASE, false)).then(Grant.heldBy("activemq-2")).then(Grant.heldHere(LEASE, false));
        session.acquire(() -> false);

        assertThat(session.keepAlive()).isFalse();
        // A later grant does not revive this session: ActiveMQ restarts the broker, which acquires anew.
        assertThat(session.keepAlive()).isFalse();
        assertThat(log).anyMatch(line -> line.contains("held by activemq-2"));
    }

    @Test
    void unansweredRenewalsEndMastershipTheDurationMinusTheMarginAfterTheLastConfirmedOneWasSent() throws Exception {
        labeler.then(Grant.heldHere(LEASE, false)).then(new IOException("timed out"));
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
        labeler.then(Grant.heldHere(LEASE, false)).then(Grant.heldHere(LEASE, false)).then(new IOException("timed out"));
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
        labeler.then(Grant.heldHere(LEASE, false)).then(Grant.heldBy("activemq-1"));
        session.acquire(() -> false);

        ticker.advanceMillis(60_000);

        assertThat(session.keepAlive()).isFalse();
    }

    @Test
    void releaseIsBestEffort() throws Exception {
        labeler.then(Grant.heldHere(LEASE, false));
        session.acquire(() -> false);

        session.release();

        assertThat(labeler.releases).isOne();
    }
}
