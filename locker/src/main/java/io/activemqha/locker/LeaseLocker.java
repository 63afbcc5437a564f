package io.activemqha.locker;

import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
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
 * <p>{@code start} blocks until the labeler reports the Lease held for this pod (and one Lease duration more after a
 * takeover); {@code keepAlive}, which ActiveMQ calls every {@code lockKeepAlivePeriod}, renews it and returns false,
 * never throwing, once no renewal has been confirmed for the Lease duration minus {@link #setSafetyMargin the
 * margin}: ActiveMQ then stops the broker and restarts it as a slave. The endpoint comes from
 * {@value LeaseContract#ENV_LEASE_URL} (the webhook sets it), else {@link LeaseContract#DEFAULT_LEASE_URL}.
 */
public class LeaseLocker extends AbstractLocker {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseLocker.class);

    private String leaseUrl = System.getenv().getOrDefault(LeaseContract.ENV_LEASE_URL, LeaseContract.DEFAULT_LEASE_URL);
    private long requestTimeout = 1000;
    private long safetyMargin = 2000;
    private LeaseAuthority authority;
    private Ticker ticker = Ticker.SYSTEM;
    private volatile LeaseSession session;

    public LeaseLocker() {
    }

    /** For tests: another authority and clock. */
    LeaseLocker(LeaseAuthority authority, Ticker ticker) {
        this.authority = authority;
        this.ticker = ticker;
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
     * acting as master, in ms (default 2000): room for clock-rate differences and the broker's own stop.
     */
    public void setSafetyMargin(long safetyMargin) {
        this.safetyMargin = safetyMargin;
    }

    @Override
    public void configure(PersistenceAdapter persistenceAdapter) {
        // Nothing of the store is used: the Lease, not a file, decides who is master.
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
        LeaseAuthority labeler = authority != null ? authority : new HttpLeaseAuthority(URI.create(leaseUrl));
        LeaseSession starting = new LeaseSession(labeler, ticker, Duration.ofMillis(lockAcquireSleepInterval),
                Duration.ofMillis(requestTimeout), Duration.ofMillis(safetyMargin), message -> LOG.info("{} {}", name(), message));
        LOG.info("{} waiting for the Lease from {}", name(), authority != null ? "the test's authority" : leaseUrl);
        if (!starting.acquire(this::isStopping)) {
            throw new IOException(name() + " stopped before the Lease was held");
        }
        session = starting;
    }

    @Override
    public boolean keepAlive() {
        LeaseSession current = session;
        return current != null && current.keepAlive();
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

    private String name() {
        return name == null ? "lease locker" : "lease locker of " + name;
    }
}
