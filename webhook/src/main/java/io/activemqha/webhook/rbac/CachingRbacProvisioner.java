package io.activemqha.webhook.rbac;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Provisions through an {@link RbacApplier} at most once per namespace and account per TTL: a busy namespace
 * costs one API round trip per TTL, not one per pod. Concurrent admissions in a new namespace share the one
 * in-flight apply. A failure is not cached, so the next pod (the ReplicaSet retries) tries again; the TTL bounds
 * how long a deleted ServiceAccount or RoleBinding stays missing.
 */
public final class CachingRbacProvisioner implements RbacProvisioner {
    /** Observes each API round trip (cache hits are not reported). */
    public interface Listener {
        void applied(String namespace, boolean succeeded);
    }

    private record Key(String namespace, String serviceAccount) {
    }

    private record Entry(Future<Void> result, long expiresAtNanos) {
    }

    private final Vertx vertx;
    private final RbacApplier applier;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final Listener listener;
    private final ConcurrentMap<Key, Entry> cache = new ConcurrentHashMap<>();

    /**
     * @param vertx     runs the blocking applies on its worker pool
     * @param applier   talks to the API server
     * @param ttl       how long a successful apply is trusted
     * @param nanoClock monotonic time source ({@code System::nanoTime} outside tests)
     * @param listener  told about every round trip
     */
    public CachingRbacProvisioner(Vertx vertx, RbacApplier applier, Duration ttl, LongSupplier nanoClock,
                                  Listener listener) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("RBAC cache TTL must be positive, got " + ttl);
        }
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.applier = Objects.requireNonNull(applier, "applier");
        this.ttlNanos = ttl.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public Future<Void> ensure(String namespace, String serviceAccount) {
        if (namespace == null || namespace.isBlank() || serviceAccount == null || serviceAccount.isBlank()) {
            // The client would fall back to its own default namespace: never provision somewhere else.
            return Future.failedFuture(new RbacProvisioningException("nothing to provision: the admission request names "
                    + "namespace " + quoted(namespace) + " and service account " + quoted(serviceAccount), null));
        }
        Key key = new Key(namespace, serviceAccount);
        long now = nanoClock.getAsLong();
        Entry entry = cache.compute(key, (k, cached) ->
                cached != null && (!cached.result().isComplete() || now - cached.expiresAtNanos() < 0)
                        ? cached
                        : new Entry(apply(k), now + ttlNanos));
        return entry.result();
    }

    /** Forgets every cached namespace (for an operator-triggered resync or tests). */
    public void invalidateAll() {
        cache.clear();
    }

    private static String quoted(String value) {
        return value == null ? "(none)" : "\"" + value + "\"";
    }

    private Future<Void> apply(Key key) {
        Future<Void> result = vertx.executeBlocking(() -> {
            applier.apply(key.namespace(), key.serviceAccount());
            return null;
        }, false);
        result.onComplete(done -> {
            listener.applied(key.namespace(), done.succeeded());
            if (done.failed()) {
                cache.computeIfPresent(key, (k, cached) -> cached.result() == result ? null : cached);
            }
        });
        return result;
    }
}
