package io.activemqha.webhook.server.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads a certificate/key file pair when its content changes and hands each new valid pair to an
 * {@code apply} function (for a server: {@code HttpServer.updateSSLOptions}).
 *
 * <p>The kubelet publishes a new Secret version by swapping a {@code ..data} symlink, so both files change at
 * once; other writers replace them one after the other. The reloader polls a SHA-256 of both files (inotify does
 * not see a swap behind a symlinked directory reliably) and only applies a pair whose key signs for the
 * certificate, so a half-written or mismatched pair leaves the current certificate in place until the next poll
 * sees the complete pair. Reads run off the event loop.
 */
public final class CertificateReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    /** Observes reload decisions, e.g. to count them as metrics. */
    public interface Listener {
        /** A new pair was validated and applied. */
        default void applied(TlsCredentials credentials) {
        }

        /** Changed files were not applied; the current certificate stays. Reported once per distinct content. */
        default void rejected(String reason) {
        }
    }

    private final Vertx vertx;
    private final TlsFiles files;
    private final Duration interval;
    private final Function<TlsCredentials, Future<?>> apply;
    private final Listener listener;
    private final AtomicBoolean polling = new AtomicBoolean();
    private volatile TlsCredentials current;
    private volatile String lastRejectedFingerprint;
    private volatile long timerId = -1;

    /**
     * @param vertx    runs the timer and the blocking file reads
     * @param files    the pair to watch
     * @param interval time between two polls
     * @param initial  the pair already in use (its fingerprint is the baseline)
     * @param apply    installs a new pair; a failed future keeps the old fingerprint so the next poll retries
     * @param listener told about every applied or rejected change
     */
    public CertificateReloader(Vertx vertx, TlsFiles files, Duration interval, TlsCredentials initial,
                               Function<TlsCredentials, Future<?>> apply, Listener listener) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("reload interval must be positive, got " + interval);
        }
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.files = Objects.requireNonNull(files, "files");
        this.interval = interval;
        this.current = Objects.requireNonNull(initial, "initial");
        this.apply = Objects.requireNonNull(apply, "apply");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Starts polling; idempotent. */
    public synchronized CertificateReloader start() {
        if (timerId < 0) {
            timerId = vertx.setPeriodic(interval.toMillis(), id -> poll());
        }
        return this;
    }

    /** The pair most recently applied (or the initial one). */
    public TlsCredentials current() {
        return current;
    }

    /**
     * Checks the files once now. Completes with {@code true} when a new pair was applied, {@code false} when the
     * files are unchanged, invalid, or a check is already running.
     */
    public Future<Boolean> poll() {
        if (!polling.compareAndSet(false, true)) {
            return Future.succeededFuture(false);
        }
        return vertx.executeBlocking(this::readIfChanged, false)
                .compose(this::applyIfNew)
                .eventually(() -> {
                    polling.set(false);
                    return Future.succeededFuture();
                });
    }

    @Override
    public synchronized void close() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
    }

    /** Null when unchanged or invalid (then logged once per distinct content). */
    private TlsCredentials readIfChanged() {
        TlsCredentials candidate;
        try {
            candidate = files.read();
        } catch (IllegalArgumentException e) {
            reject(e.getMessage(), e.getMessage());
            return null;
        }
        if (candidate.fingerprint().equals(current.fingerprint())) {
            return null;
        }
        return candidate;
    }

    private Future<Boolean> applyIfNew(TlsCredentials candidate) {
        if (candidate == null) {
            return Future.succeededFuture(false);
        }
        TlsCredentials previous = current;
        return apply.apply(candidate).transform(result -> {
            if (result.failed()) {
                String reason = "installing the certificate from " + files.certificate() + " failed: " + result.cause();
                reject(candidate.fingerprint(), reason);
                return Future.succeededFuture(false);
            }
            current = candidate;
            lastRejectedFingerprint = null;
            LOG.info("TLS certificate reloaded from {}: serial {} -> {}, valid until {}",
                    files.certificate(), previous.serialHex(), candidate.serialHex(), candidate.notAfter());
            listener.applied(candidate);
            return Future.succeededFuture(true);
        });
    }

    private void reject(String contentKey, String reason) {
        // One warning per distinct bad content: a pair stuck half-written must not flood the log every poll.
        if (!contentKey.equals(lastRejectedFingerprint)) {
            lastRejectedFingerprint = contentKey;
            LOG.warn("TLS certificate files changed but were not applied; still serving serial {}: {}",
                    current.serialHex(), reason);
            listener.rejected(reason);
        }
    }
}
