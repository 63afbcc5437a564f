package io.activemqha.locker;

import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.broker.AbstractLocker;
import org.apache.activemq.store.PersistenceAdapter;
import org.apache.activemq.util.ServiceStopper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ActiveMQ Classic {@link org.apache.activemq.broker.Locker} backed by the HA group's Kubernetes Lease, which the
 * pod's labeler holds for this broker (the broker itself has no API token). Use it in place of the shared-file
 * locker:
 *
 * <pre>{@code
 * <kahaDB directory="/var/lib/activemq/shared/kahadb" lockKeepAlivePeriod="2000">
 *   <locker><bean xmlns="http://www.springframework.org/schema/beans" class="io.activemqha.locker.LeaseLocker"/></locker>
 * </kahaDB>
 * }</pre>
 *
 * <p>{@code start} blocks until the labeler reports the Lease held for this broker process (and, after a takeover,
 * until the labeler knows the previous holder stopped); {@code keepAlive}, which ActiveMQ calls every
 * {@code lockKeepAlivePeriod}, renews it. Once no renewal has been confirmed for the Lease duration minus
 * {@link #setSafetyMargin the margin}, or the Lease is found held elsewhere, the broker process is halted at once
 * (exit status {@value #EXIT_LEASE_LOST}), by the keep-alive or by a watchdog thread that wakes at the deadline: not
 * stopped, because ActiveMQ's stop writes the index and closes the journal of a store that another master may be
 * writing. The container's restart policy starts a new process, which waits as a slave. The endpoint comes from
 * {@value LeaseContract#ENV_LEASE_URL} (the webhook sets it), else {@link LeaseContract#DEFAULT_LEASE_URL}.
 */
public class LeaseLocker extends AbstractLocker {
    /** The broker process's exit status when it lost its Lease or the Lease lapsed. */
    public static final int EXIT_LEASE_LOST = 70;
    private static final Logger LOG = LoggerFactory.getLogger(LeaseLocker.class);
    private static final long WATCHDOG_STEP_NANOS = Duration.ofMillis(100).toNanos();

    /** Ends the broker process without running anything else of it: no shutdown hook, no store I/O. */
    interface Halt {
        void halt(String reason);
    }

    private String leaseUrl = System.getenv().getOrDefault(LeaseContract.ENV_LEASE_URL, LeaseContract.DEFAULT_LEASE_URL);
    private long requestTimeout = 1000;
    private long safetyMargin = 2000;
    private LeaseAuthority authority;
    private Ticker ticker;
    private Halt halt = LeaseLocker::haltProcess;
    private PersistenceAdapter store;
    private volatile LeaseSession session;

    public LeaseLocker() {
    }

    /** For tests: another authority, clock and way to halt. */
    LeaseLocker(LeaseAuthority authority, Ticker ticker, Halt halt) {
        this.authority = authority;
        this.ticker = ticker;
        this.halt = halt;
    }

    /** The labeler's lease endpoint. */
    public void setLeaseUrl(String leaseUrl) {
        this.leaseUrl = leaseUrl;
    }

    /** Bound on one call to the labeler, in ms (default 1000); must be below {@code lockKeepAlivePeriod}. */
    public void setRequestTimeout(long requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /**
     * How long before the Lease would expire, counted from when its last confirmed renewal was sent, the broker stops
     * acting as master, in ms (default 2000): room for clock-rate differences between nodes.
     */
    public void setSafetyMargin(long safetyMargin) {
        this.safetyMargin = safetyMargin;
    }

    @Override
    public void configure(PersistenceAdapter persistenceAdapter) {
        // Read at start: Spring may set the store's directory after its locker.
        this.store = persistenceAdapter;
    }

    @Override
    protected void doStart() throws Exception {
        long keepAlivePeriod = lockable == null ? 0 : lockable.getLockKeepAlivePeriod();
        if (keepAlivePeriod <= 0) {
            throw new IOException("the lease locker needs lockKeepAlivePeriod > 0 on the persistence adapter "
                    + "(e.g. lockKeepAlivePeriod=\"2000\"): without it ActiveMQ never asks whether the Lease is still "
                    + "held, and a broker that lost it would go on as master");
        }
        if (requestTimeout <= 0 || requestTimeout >= keepAlivePeriod) {
            throw new IOException("the lease locker's requestTimeout (" + requestTimeout + " ms) must be positive and "
                    + "below lockKeepAlivePeriod (" + keepAlivePeriod + " ms)");
        }
        if (store == null || store.getDirectory() == null) {
            throw new IOException("the lease locker needs a persistence adapter with a directory: it records there "
                    + "which Lease guards the store");
        }
        Ticker clock = ticker != null ? ticker : systemTicker();
        LeaseAuthority labeler = authority != null ? authority : new HttpLeaseAuthority(URI.create(leaseUrl));
        LeaseSession starting = new LeaseSession(labeler, clock, new LeaseSession.Settings(
                Duration.ofMillis(lockAcquireSleepInterval), Duration.ofMillis(requestTimeout),
                Duration.ofMillis(safetyMargin), Duration.ofMillis(keepAlivePeriod)),
                new StoreLeaseRecord(Path.of(store.getDirectory().getPath())), message -> LOG.info("{} {}", name(), message));
        LOG.info("{} waiting for the Lease from {} (session {})", name(),
                authority != null ? "the test's authority" : leaseUrl, starting.id());
        if (!starting.acquire(this::isStopping)) {
            throw new IOException(name() + " stopped before the Lease was held");
        }
        session = starting;
        Thread watchdog = new Thread(() -> watch(starting), "lease-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static Ticker systemTicker() {
        BootTicker system = BootTicker.system();
        if (!system.countsSuspend()) {
            LOG.warn("lease locker: /proc/uptime cannot be read, so time this machine spends suspended is not counted "
                    + "against the Lease: a master resumed from a suspend longer than its Lease would be fenced only by "
                    + "its next keep-alive");
        }
        return system;
    }

    /**
     * Halts the process the moment the last confirmed renewal runs out, whatever the other threads are doing: checked
     * in short steps of real time, so a process resumed after a freeze or a suspend is halted on its first steps.
     */
    private void watch(LeaseSession watched) {
        try {
            while (session == watched) {
                long left = watched.remainingNanos();
                if (left <= 0) {
                    halt.halt("the Lease is no longer confirmed");
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(Math.min(left, WATCHDOG_STEP_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean keepAlive() {
        LeaseSession current = session;
        if (current == null) {
            return false;
        }
        if (!current.keepAlive()) {
            halt.halt("the keep-alive found the Lease lost");
            return false;
        }
        return true;
    }

    /**
     * Whether this broker may act as master now: it holds the Lease and its last confirmed renewal has not run out
     * (what {@link LeaseFencePlugin} checks on every connection, send and acknowledgement).
     */
    public boolean mayActAsMaster() {
        LeaseSession current = session;
        return current != null && current.mayActAsMaster();
    }

    @Override
    protected void doStop(ServiceStopper stopper) {
        LeaseSession current = session;
        session = null;
        if (current != null) {
            current.release();
        }
    }

    private static void haltProcess(String reason) {
        String line = "activemq-ha lease locker: " + reason + "; halting the broker process (exit " + EXIT_LEASE_LOST
                + ") without stopping it, so that nothing more is written to a store that another master may own";
        LOG.error(line);
        System.err.println(line);
        System.err.flush();
        Runtime.getRuntime().halt(EXIT_LEASE_LOST);
    }

    private String name() {
        return name == null ? "lease locker" : "lease locker of " + name;
    }
}
