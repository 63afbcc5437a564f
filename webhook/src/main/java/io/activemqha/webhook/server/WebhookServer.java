package io.activemqha.webhook.server;

import io.activemqha.webhook.server.tls.TlsCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS endpoint: TLS 1.2/1.3 only, HTTP/2 (ALPN {@code h2}) and HTTP/1.1, routing
 * {@link Endpoints#MUTATE} to the admission handler and serving health, readiness and metrics. The certificate
 * can be replaced while serving ({@link #useCredentials}); connections already open keep theirs.
 */
public final class WebhookServer {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
    /** TLS 1.0/1.1 are deprecated (RFC 8996); the API server speaks 1.2 and 1.3. */
    public static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final ServerSettings settings;
    private final MutationHandler mutation;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private volatile HttpServer server;
    private volatile ServerSSLOptions sslOptions;
    private volatile TlsCredentials credentials;

    /**
     * @param vertx              the Vert.x instance the server runs on
     * @param settings           bind address, port and body limit
     * @param mutation answers {@code POST /mutate}
     * @param metrics  serves {@code /metrics}
     * @param clock    decides whether the served certificate has expired (readiness)
     */
    public WebhookServer(Vertx vertx, ServerSettings settings, MutationHandler mutation, WebhookMetrics metrics,
                         Clock clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.mutation = Objects.requireNonNull(mutation, "mutation");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Binds with {@code initial} as the certificate; completes with the actual port. */
    public synchronized Future<Integer> start(TlsCredentials initial) {
        if (server != null) {
            return Future.failedFuture(new IllegalStateException("already started"));
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(settings.port())
                .setSsl(true)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
                .setKeyCertOptions(initial.toKeyCertOptions())
                .setSslHandshakeTimeout(10)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setIdleTimeout(120)
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        HttpServer created = vertx.createHttpServer(options).requestHandler(router());
        server = created;
        sslOptions = options.getSslOptions().copy();
        return created.listen().map(listening -> {
            credentials = initial;
            metrics.certificateServed(initial);
            LOG.info("listening on https://{}:{} (TLS {}, HTTP/2 and HTTP/1.1), certificate serial {} valid until {}",
                    settings.host(), listening.actualPort(), String.join("/", TLS_PROTOCOLS.stream().sorted().toList()),
                    initial.serialHex(), initial.notAfter());
            return listening.actualPort();
        }).onFailure(e -> server = null);
    }

    /**
     * Serves {@code next} to every handshake from now on; completes when installed. Open connections, and the
     * requests in flight on them, are unaffected.
     */
    public Future<Void> useCredentials(TlsCredentials next) {
        HttpServer current = server;
        if (current == null) {
            return Future.failedFuture(new IllegalStateException("not started"));
        }
        ServerSSLOptions updated = sslOptions.copy().setKeyCertOptions(next.toKeyCertOptions());
        // force: key material given as values compares by content, but a reload must never be skipped as "equal".
        return current.updateSSLOptions(updated, true).map(changed -> {
            sslOptions = updated;
            credentials = next;
            metrics.certificateServed(next);
            return null;
        });
    }

    /** Null when ready, else why not (the {@code /readyz} 503 body). */
    public String notReadyReason() {
        TlsCredentials served = credentials;
        if (server == null || served == null) {
            return "no TLS certificate is being served yet";
        }
        if (clock.instant().isAfter(served.notAfter())) {
            return "the served TLS certificate (serial " + served.serialHex() + ") expired at " + served.notAfter();
        }
        return null;
    }

    /** The actual port once started. */
    public int port() {
        HttpServer current = server;
        if (current == null) {
            throw new IllegalStateException("not started");
        }
        return current.actualPort();
    }

    /** Stops accepting connections and lets in-flight requests finish for up to {@code grace}. */
    public synchronized Future<Void> stop(Duration grace) {
        HttpServer current = server;
        server = null;
        credentials = null;
        return current == null ? Future.succeededFuture() : current.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.post(Endpoints.MUTATE)
                .handler(mutation.arrival())
                .handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()))
                .handler(mutation);
        router.get(Endpoints.HEALTHZ).handler(ctx -> text(ctx, 200, "ok"));
        router.get(Endpoints.READYZ).handler(ctx -> {
            String reason = notReadyReason();
            text(ctx, reason == null ? 200 : 503, reason == null ? "ready" : "not ready: " + reason);
        });
        router.get(Endpoints.METRICS).handler(ctx -> ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT)
                .end(metrics.scrape()));
        router.errorHandler(404, ctx -> text(ctx, 404, "no such path " + ctx.request().path()
                + ": the webhook serves POST " + Endpoints.MUTATE + ", GET " + Endpoints.HEALTHZ + ", GET "
                + Endpoints.READYZ + " and GET " + Endpoints.METRICS));
        router.errorHandler(405, ctx -> text(ctx, 405, "method " + ctx.request().method() + " is not allowed on "
                + ctx.request().path() + ": use " + allowedMethod(ctx.request().path())));
        router.errorHandler(413, ctx -> {
            if (Endpoints.MUTATE.equals(ctx.request().path())) {
                mutation.oversized(settings.maxBodyBytes()).handle(ctx);
            }
            text(ctx, 413, "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes");
        });
        router.errorHandler(500, ctx -> {
            LOG.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            text(ctx, 500, "internal error: " + (ctx.failure() == null ? "unknown" : ctx.failure().toString()));
        });
        return router;
    }

    private static String allowedMethod(String path) {
        return Endpoints.MUTATE.equals(path) ? HttpMethod.POST.name() : HttpMethod.GET.name();
    }

    private static void text(RoutingContext ctx, int status, String body) {
        if (ctx.response().ended()) {
            return;
        }
        if (status == 405) {
            ctx.response().putHeader(HttpHeaders.ALLOW, allowedMethod(ctx.request().path()));
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(body + "\n");
    }
}
