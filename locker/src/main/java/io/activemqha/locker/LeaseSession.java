package io.activemqha.locker;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The locker's lease state machine, free of ActiveMQ and of I/O: acquire (waiting while another pod holds the Lease,
 * and one Lease duration more after a takeover), then keep alive while renewals are confirmed.
 *
 * <p>Safety rests on one rule: the broker may act as master only until {@code sent + duration - margin}, where
 * {@code sent} is when the last confirmed renewal was <em>sent</em> (its grant cannot have started earlier), on the
 * monotonic {@link Ticker}. A lost answer, a slow labeler or an unreachable API server therefore shorten mastership,
 * never lengthen it; and a pod that holds the Lease elsewhere ends it at once.
 */
final class LeaseSession {
    private final LeaseAuthority authority;
    private final Ticker ticker;
    private final Duration acquireInterval;
    private final Duration requestTimeout;
    private final Duration margin;
    private final Consumer<String> log;
    // Written by the keep-alive thread, read by every thread that LeaseFence checks.
    private volatile long confirmedSentNanos;
    private volatile Duration duration = Duration.ZERO;
    private volatile boolean lost;

    LeaseSession(LeaseAuthority authority, Ticker ticker, Duration acquireInterval, Duration requestTimeout,
                 Duration margin, Consumer<String> log) {
        this.authority = authority;
        this.ticker = ticker;
        this.acquireInterval = acquireInterval;
        this.requestTimeout = requestTimeout;
        this.margin = margin;
        this.log = log;
    }

    /**
     * Returns once this pod holds the Lease and may act as master. Waits while another pod holds it; after taking it
     * over from another holder, waits one Lease duration more (a previous master that is still alive stops within
     * that time), renewing meanwhile, since the labeler renews only while its broker asks.
     *
     * @param stopping whether the broker is being stopped meanwhile
     * @return whether the Lease is held (false: stopped before)
     */
    boolean acquire(BooleanSupplier stopping) throws InterruptedException {
        String lastHolder = null;
        long takenOverAt = 0;
        boolean takenOver = false;
        while (!stopping.getAsBoolean()) {
            long sent = ticker.nanos();
            try {
                Grant grant = authority.acquireOrRenew(requestTimeout);
                if (grant.held()) {
                    confirm(sent, grant);
                    if (grant.takenOver()) {
                        takenOver = true;
                        takenOverAt = sent;
                        log.accept("took the Lease over; waiting one Lease duration (" + grant.duration().toMillis()
                                + " ms) so that the previous master has stopped");
                    }
                    if (!takenOver || ticker.nanos() - takenOverAt >= grant.duration().toNanos()) {
                        log.accept("holds the Lease (duration " + grant.duration().toMillis() + " ms)");
                        lost = false;
                        return true;
                    }
                } else {
                    takenOver = false;
                    if (!grant.holder().equals(lastHolder)) {
                        log.accept("the Lease is held by " + (grant.holder().isEmpty() ? "another pod" : grant.holder())
                                + "; waiting");
                        lastHolder = grant.holder();
                    }
                }
            } catch (IOException unanswered) {
                log.accept("no lease answer from the labeler (" + unanswered.getMessage() + "); retrying");
            }
            if (!sleep(acquireInterval.toNanos(), stopping)) {
                return false;
            }
        }
        return false;
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
        try {
            Grant grant = authority.acquireOrRenew(requestTimeout);
            if (grant.held()) {
                confirm(sent, grant);
            } else {
                lost = true;
                log.accept("the Lease is held by " + grant.holder() + ": no longer master");
                return false;
            }
        } catch (IOException unanswered) {
            log.accept("renewal unanswered (" + unanswered.getMessage() + "); valid for "
                    + Math.max(0, remainingNanos() / 1_000_000) + " ms more");
        } catch (RuntimeException unexpected) {
            log.accept("renewal failed (" + unexpected + "); valid for " + Math.max(0, remainingNanos() / 1_000_000)
                    + " ms more");
        }
        if (remainingNanos() <= 0) {
            lost = true;
            log.accept("no renewal confirmed for " + duration.minus(margin).toMillis() + " ms: no longer master");
            return false;
        }
        return true;
    }

    /**
     * Whether the broker may act as master at this instant, by the same rule as {@link #keepAlive()} but without
     * asking anyone: cheap enough for every connection and send, and true after a resumed freeze only if the last
     * confirmed renewal still covers now.
     */
    boolean mayActAsMaster() {
        return !lost && remainingNanos() > 0;
    }

    /** Releases the Lease (a clean stop), best effort. */
    void release() {
        try {
            authority.release(requestTimeout);
        } catch (IOException | RuntimeException e) {
            log.accept("could not release the Lease (" + e.getMessage() + "); it expires on its own");
        }
    }

    private long remainingNanos() {
        return confirmedSentNanos + duration.minus(margin).toNanos() - ticker.nanos();
    }

    private void confirm(long sent, Grant grant) {
        confirmedSentNanos = sent;
        duration = grant.duration();
    }

    /** Sleeps in short steps so that a stop is noticed; false if stopping. */
    private boolean sleep(long nanos, BooleanSupplier stopping) throws InterruptedException {
        long end = ticker.nanos() + nanos;
        long step = Duration.ofMillis(100).toNanos();
        while (ticker.nanos() < end) {
            if (stopping.getAsBoolean()) {
                return false;
            }
            ticker.sleep(Math.min(step, end - ticker.nanos()));
        }
        return !stopping.getAsBoolean();
    }
}
