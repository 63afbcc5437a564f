package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.Outcome;
import io.activemqha.webhook.rbac.RbacProvisioner;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /mutate}: reviews the body (pure CPU work, done on the event loop), provisions the labeler's RBAC
 * in the pod's namespace when the injected pod needs it (off the event loop), then answers, counts and logs.
 * A provisioning failure turns the answer into a denial carrying the API error, so the pod's controller retries.
 */
public final class MutationHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(MutationHandler.class);
    private static final String STARTED = MutationHandler.class.getName() + ".started";

    private final AdmissionReviewer reviewer;
    private final RbacProvisioner provisioner;
    private final Duration provisioningTimeout;
    private final WebhookMetrics metrics;
    private final AdmissionLog log;
    private final LongSupplier nanoClock;

    /**
     * @param provisioningTimeout bound on provisioning, below the webhook's {@code timeoutSeconds} so that the
     *                            API server receives the denial instead of timing out itself
     */
    public MutationHandler(AdmissionReviewer reviewer, RbacProvisioner provisioner, Duration provisioningTimeout,
                           WebhookMetrics metrics, AdmissionLog log, LongSupplier nanoClock) {
        this.reviewer = Objects.requireNonNull(reviewer, "reviewer");
        this.provisioner = Objects.requireNonNull(provisioner, "provisioner");
        this.provisioningTimeout = Objects.requireNonNull(provisioningTimeout, "provisioningTimeout");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.log = Objects.requireNonNull(log, "log");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * First handler of the route: stamps the arrival time, so that durations include reading the body. A platform
     * handler because Vert.x Web only lets those run before the body handler.
     */
    public PlatformHandler arrival() {
        return new PlatformHandler() {
            @Override
            public void handle(RoutingContext ctx) {
                ctx.put(STARTED, nanoClock.getAsLong());
                ctx.next();
            }
        };
    }

    /** For a body over the limit: counted and logged as an error before the 413 goes out. */
    public Handler<RoutingContext> oversized(long limitBytes) {
        return ctx -> {
            long elapsed = elapsed(ctx);
            metrics.admission(Outcome.ERROR, elapsed);
            log.refused(413, "request body exceeds the limit of " + limitBytes + " bytes", elapsed);
        };
    }

    @Override
    public void handle(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        AdmissionResult result;
        try {
            result = reviewer.review(body == null ? new byte[0] : body.getBytes());
        } catch (RuntimeException e) {
            // A bug of ours, not bad input: answer 500 and keep serving.
            LOG.error("reviewing an admission request failed", e);
            long elapsed = elapsed(ctx);
            metrics.admission(Outcome.ERROR, elapsed);
            log.refused(500, "internal error: " + e, elapsed);
            send(ctx, 500, "text/plain; charset=utf-8", "internal error while reviewing the request: " + e + "\n");
            return;
        }
        if (!result.needsRbacProvisioning()) {
            answer(ctx, result);
            return;
        }
        provisioner.ensure(result.namespace(), result.serviceAccount())
                .timeout(provisioningTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .map(ok -> result)
                .recover(failure -> Future.succeededFuture(result.deny(500, denial(result, failure))))
                .onComplete(done -> answer(ctx, done.result()));
    }

    private String denial(AdmissionResult result, Throwable failure) {
        String cause = failure instanceof TimeoutException
                ? "the Kubernetes API server did not answer within " + Durations.format(provisioningTimeout)
                : failure.getMessage() == null ? failure.toString() : failure.getMessage();
        return "activemq-ha could not provision the ServiceAccount \"" + result.serviceAccount()
                + "\" and its RoleBinding in namespace \"" + result.namespace()
                + "\" for the injected leader-labeler (the pod's controller retries): " + cause;
    }

    private void answer(RoutingContext ctx, AdmissionResult result) {
        long elapsed = elapsed(ctx);
        metrics.admission(result.outcome(), elapsed);
        log.answered(result, elapsed);
        send(ctx, result.httpStatus(), result.contentType(), result.body());
    }

    private static void send(RoutingContext ctx, int status, String contentType, String body) {
        if (ctx.response().closed() || ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
    }

    private long elapsed(RoutingContext ctx) {
        Long started = ctx.get(STARTED);
        return started == null ? 0 : nanoClock.getAsLong() - started;
    }
}
