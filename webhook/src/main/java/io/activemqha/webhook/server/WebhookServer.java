package io.activemqha.webhook.server;

import io.activemqha.webhook.server.tls.TlsCredentials;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
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
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS endpoint: TLS 1.2/1.3 only, HTTP/2 (ALPN {@code h2}) and HTTP/1.1, routing
 * {@link Endpoints#MUTATE} to the admission handler and serving health, readiness and metrics, from one server
 * instance per event loop sharing the port. The certificate can be replaced while serving
 * ({@link #useCredentials}); connections already open keep theirs.
 */
public final class WebhookServer {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
    /** TLS 1.0/1.1 are deprecated (RFC 8996); the API server speaks 1.2 and 1.3. */
    public static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final String TEXT = "text/plain; charset=utf-8";
    /** Attempts at binding a picked free port that another process may take first. */
    private static final int PORT_ATTEMPTS = 5;
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final ServerSettings settings;
    private final MutationHandler mutation;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private volatile List<HttpServer> servers = List.of();
    private volatile String deploymentId;
    private boolean started;
    private volatile ServerSSLOptions sslOptions;
    private volatile TlsCredentials credentials;

    /**
     * @param vertx    the Vert.x instance the server runs on
     * @param settings bind address, port, body limit and number of event loops
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

    /**
     * Binds {@link ServerSettings#eventLoops()} server instances, one per event loop, sharing the port, with
     * {@code initial} as the certificate; completes with the port.
     */
    public synchronized Future<Integer> start(TlsCredentials initial) {
        if (started) {
            return Future.failedFuture(new IllegalStateException("already started"));
        }
        started = true;
        return deploy(initial, PORT_ATTEMPTS).map(port -> {
            credentials = initial;
            metrics.certificateServed(initial);
            LOG.info("listening on https://{}:{} ({} event loop{}, TLS {}, HTTP/2 and HTTP/1.1), certificate serial {}"
                            + " valid until {}", settings.host(), port, settings.eventLoops(),
                    settings.eventLoops() == 1 ? "" : "s", String.join("/", TLS_PROTOCOLS.stream().sorted().toList()),
                    initial.serialHex(), initial.notAfter());
            return port;
        }).onFailure(e -> {
            synchronized (this) {
                started = false;
            }
        });
    }

    private Future<Integer> deploy(TlsCredentials initial, int attemptsLeft) {
        // Vert.x shares a listening socket among instances only for an explicit port: with port 0 each instance
        // would bind its own random one. So several instances get a free port picked up front (retried if taken).
        boolean pickPort = settings.port() == 0 && settings.eventLoops() > 1;
        int port;
        try {
            port = pickPort ? freePort(settings.host()) : settings.port();
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        HttpServerOptions options = new HttpServerOptions()
                .setHost(settings.host())
                .setPort(port)
                .setSsl(true)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
                .setKeyCertOptions(initial.toKeyCertOptions())
                .setSslHandshakeTimeout(10)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setIdleTimeout(120)
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        List<HttpServer> listening = new CopyOnWriteArrayList<>();
        return vertx.deployVerticle(() -> new Instance(options, listening),
                        new DeploymentOptions().setInstances(settings.eventLoops()))
                .transform(deployed -> {
                    if (deployed.failed()) {
                        if (pickPort && attemptsLeft > 1 && deployed.cause() instanceof BindException) {
                            return deploy(initial, attemptsLeft - 1);
                        }
                        return Future.failedFuture(deployed.cause());
                    }
                    synchronized (this) {
                        deploymentId = deployed.result();
                        sslOptions = options.getSslOptions().copy();
                        servers = List.copyOf(listening);
                    }
                    return Future.succeededFuture(listening.get(0).actualPort());
                });
    }

    /** One server on the event loop of its verticle instance. */
    private final class Instance extends VerticleBase {
        private final HttpServerOptions options;
        private final List<HttpServer> listening;

        Instance(HttpServerOptions options, List<HttpServer> listening) {
            this.options = options;
            this.listening = listening;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(new HttpServerOptions(options)).requestHandler(router()).listen()
                    .onSuccess(listening::add);
        }
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        }
    }

    /**
     * Serves {@code next} to every handshake from now on; completes when installed on every instance. Open
     * connections, and the requests in flight on them, are unaffected.
     */
    public Future<Void> useCredentials(TlsCredentials next) {
        List<HttpServer> current = servers;
        if (current.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("not started"));
        }
        ServerSSLOptions updated = sslOptions.copy().setKeyCertOptions(next.toKeyCertOptions());
        // force: key material given as values compares by content, but a reload must never be skipped as "equal".
        List<Future<Boolean>> updates = current.stream().map(server -> server.updateSSLOptions(updated, true)).toList();
        return Future.all(updates).map(done -> {
            sslOptions = updated;
            credentials = next;
            metrics.certificateServed(next);
            return null;
        });
    }

    /** Null when ready, else why not (the {@code /readyz} 503 body). */
    public String notReadyReason() {
        TlsCredentials served = credentials;
        if (servers.isEmpty() || served == null) {
            return "no TLS certificate is being served yet";
        }
        if (clock.instant().isAfter(served.notAfter())) {
            return "the served TLS certificate (serial " + served.serialHex() + ") expired at " + served.notAfter();
        }
        return null;
    }

    /** The port once started. */
    public int port() {
        List<HttpServer> current = servers;
        if (current.isEmpty()) {
            throw new IllegalStateException("not started");
        }
        return current.get(0).actualPort();
    }

    /** Stops accepting connections, lets in-flight requests finish for up to {@code grace}, then undeploys. */
    public synchronized Future<Void> stop(Duration grace) {
        List<HttpServer> current = servers;
        String deployment = deploymentId;
        servers = List.of();
        deploymentId = null;
        credentials = null;
        started = false;
        if (deployment == null) {
            return Future.succeededFuture();
        }
        List<Future<Void>> shutdowns = current.stream()
                .map(server -> server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)).toList();
        return Future.join(shutdowns).eventually(() -> vertx.undeploy(deployment)).mapEmpty();
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
