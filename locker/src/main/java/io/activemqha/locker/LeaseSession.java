package io.activemqha.locker;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The locker's lease state machine for one broker process, free of ActiveMQ and of I/O: acquire (waiting while
 * another pod holds the Lease, and while the labeler says the previous holder may still run), then keep alive while
 * renewals are confirmed.
 *
 * <p>Safety rests on one rule: the broker may act as master only until {@code sent + duration - margin}, where
 * {@code sent} is when the last confirmed renewal was <em>sent</em> (its grant cannot have started earlier), on the
 * {@link Ticker}. A lost answer, a slow labeler or an unreachable API server therefore shorten mastership, never
 * lengthen it. A lapse is final: a renewal sent after the validity ran out is never a confirmation, whatever the
 * labeler answers, because another broker may have been master in between. So is a Lease found held elsewhere.
 */
final class LeaseSession {
    /** Thrown by {@link #acquire} when the broker must not become master at all (bad timings, a foreign store). */
    static final class Refusal extends IOException {
        Refusal(String message) {
            super(message);
        }
    }

    /** What the locker must check of a Lease before it opens the store (the store's own record of its Lease). */
    interface StoreGuard {
        /** @throws Refusal when the store belongs to another Lease */
        void admit(String leaseName) throws IOException;
    }

    private final LeaseAuthority authority;
    private final Ticker ticker;
    private final Settings settings;
    private final StoreGuard guard;
    private final Consumer<String> log;
    private final String id = UUID.randomUUID().toString();
    // Written by the acquiring and keep-alive threads, read by every thread that LeaseFence checks and the watchdog.
    private volatile boolean confirmed;
    private volatile long validUntilNanos;
    private volatile Duration lastDuration = Duration.ZERO;
    private volatile boolean lost;

    /**
     * The locker's timings.
     *
     * @param acquireInterval how often a waiting broker asks
     * @param requestTimeout  bound on one call to the labeler
     * @param margin          mastership ends this long before the Lease would expire
     * @param keepAlivePeriod how often ActiveMQ calls {@link #keepAlive()}
     */
    record Settings(Duration acquireInterval, Duration requestTimeout, Duration margin, Duration keepAlivePeriod) {
        /**
         * A master must get at least one renewal confirmed inside every validity: a keep-alive period plus one
         * request's time must fit in {@code duration - margin}, or a healthy master would lapse between renewals.
         */
        void check(Duration duration) throws Refusal {
            Duration validity = duration.minus(margin);
            if (margin.isNegative() || keepAlivePeriod.plus(requestTimeout).compareTo(validity) >= 0) {
                throw new Refusal("impossible lease timings: lockKeepAlivePeriod (" + keepAlivePeriod.toMillis()
                        + " ms) + requestTimeout (" + requestTimeout.toMillis() + " ms) must be below the Lease "
                        + "duration (" + duration.toMillis() + " ms, the labeler's LEASE_DURATION, annotation "
                        + "activemq-ha/lease-duration) minus safetyMargin (" + margin.toMillis() + " ms), and "
                        + "safetyMargin must not be negative; otherwise the master would lose its Lease between two "
                        + "renewals");
            }
        }
    }

    LeaseSession(LeaseAuthority authority, Ticker ticker, Settings settings, StoreGuard guard, Consumer<String> log) {
        this.authority = authority;
        this.ticker = ticker;
        this.settings = settings;
        this.guard = guard;
        this.log = log;
    }

    /** This broker process's session id, sent with every request. */
    String id() {
        return id;
    }

    /**
     * Returns once this pod holds the Lease and may open the store. Waits while another pod holds it, and while the
     * labeler answers that it took the Lease from a previous holder not yet known to have stopped, renewing
     * meanwhile (the labeler renews only while its broker asks).
     *
     * @param stopping whether the broker is being stopped meanwhile
     * @return whether the Lease is held (false: stopped before)
     * @throws Refusal when the timings cannot work or the store belongs to another Lease (the Lease is released)
     */
    boolean acquire(BooleanSupplier stopping) throws InterruptedException, Refusal {
        String lastHolder = null;
        boolean checked = false;
        boolean waitLogged = false;
        while (!stopping.getAsBoolean()) {
            long sent = ticker.nanos();
            try {
                Grant grant = authority.acquireOrRenew(id, settings.requestTimeout());
                if (grant.held()) {
                    confirm(sent, grant);
                    if (!checked) {
                        admit(grant);
                        checked = true;
                    }
                    if (!grant.takenOver()) {
                        log.accept("holds the Lease " + grant.leaseName() + " (duration " + grant.duration().toMillis()
                                + " ms)");
                        return true;
                    }
                    if (!waitLogged) {
                        log.accept("took the Lease " + grant.leaseName() + " over; waiting until the labeler knows the "
                                + "previous holder stopped");
                        waitLogged = true;
                    }
                } else {
                    waitLogged = false;
                    if (!grant.holder().equals(lastHolder)) {
                        log.accept("the Lease is held by " + (grant.holder().isEmpty() ? "another pod" : grant.holder())
                                + "; waiting");
                        lastHolder = grant.holder();
                    }
                }
            } catch (Refusal refusal) {
                lost = true;
                release();
                throw refusal;
            } catch (IOException unanswered) {
                log.accept("no lease answer from the labeler (" + unanswered.getMessage() + "); retrying");
            }
            if (!sleep(settings.acquireInterval().toNanos(), stopping)) {
                return false;
            }
        }
        return false;
    }

    private void admit(Grant grant) throws IOException {
        settings.check(grant.duration());
        guard.admit(grant.leaseName());
    }

    /**
     * Renews the Lease and says whether the broker may go on as master. Never throws: an unanswered renewal counts as
     * none, and mastership ends when the last confirmed one expires ({@code duration - margin} after it was sent).
     */
    boolean keepAlive() {
        if (lost) {
            return false;
        }
        long sent = ticker.nanos();
        if (!coveredAt(sent)) {
            return lapse("no renewal confirmed for " + validity().toMillis() + " ms");
        }
        try {
            Grant grant = authority.acquireOrRenew(id, settings.requestTimeout());
            if (!grant.held()) {
                return lapse("the Lease is held by " + grant.holder());
            }
            if (grant.takenOver()) {
                // Only another holder in between makes a renewal a takeover: someone else was master meanwhile.
                return lapse("the Lease was held by another pod since the last renewal");
            }
            confirm(sent, grant);
        } catch (IOException unanswered) {
            log.accept("renewal unanswered (" + unanswered.getMessage() + "); valid for "
                    + Math.max(0, remainingNanos() / 1_000_000) + " ms more");
        } catch (RuntimeException unexpected) {
            log.accept("renewal failed (" + unexpected + "); valid for " + Math.max(0, remainingNanos() / 1_000_000)
                    + " ms more");
        }
        return coveredAt(ticker.nanos()) || lapse("no renewal confirmed for " + validity().toMillis() + " ms");
    }

    /**
     * Whether the broker may act as master at this instant, by the same rule as {@link #keepAlive()} but without
     * asking anyone: cheap enough for every connection and send, and true after a resumed freeze only if the last
     * confirmed renewal still covers now.
     */
    boolean mayActAsMaster() {
        return !lost && coveredAt(ticker.nanos());
    }

    /** Nanoseconds of mastership left by the last confirmed renewal; zero or less once it lapsed or was lost. */
    long remainingNanos() {
        return lost || !confirmed ? 0 : validUntilNanos - ticker.nanos();
    }

    /** Releases the Lease (a clean stop), best effort. */
    void release() {
        try {
            authority.release(id, settings.requestTimeout());
        } catch (IOException | RuntimeException e) {
            log.accept("could not release the Lease (" + e.getMessage() + "); it expires on its own");
        }
    }

    private boolean coveredAt(long nanos) {
        return !lost && confirmed && nanos - validUntilNanos < 0;
    }

    private boolean lapse(String why) {
        if (!lost) {
            lost = true;
            log.accept(why + ": no longer master");
        }
        return false;
    }

    private Duration validity() {
        return lastDuration.minus(settings.margin());
    }

    private void confirm(long sent, Grant grant) {
        lastDuration = grant.duration();
        validUntilNanos = sent + validity().toNanos();
        confirmed = true;
    }

    /** Sleeps in short steps so that a stop is noticed; false if stopping. */
    private boolean sleep(long nanos, BooleanSupplier stopping) throws InterruptedException {
        long end = ticker.nanos() + nanos;
        long step = Duration.ofMillis(100).toNanos();
        while (ticker.nanos() - end < 0) {
            if (stopping.getAsBoolean()) {
                return false;
            }
            ticker.sleep(Math.min(step, end - ticker.nanos()));
        }
        return !stopping.getAsBoolean();
    }
}
