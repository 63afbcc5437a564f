package io.activemqha.manifests;

import io.activemqha.common.LabelerContract;
import io.activemqha.labeler.health.HealthServer;
import io.activemqha.labeler.health.LabelerMetrics;
import io.activemqha.labeler.health.LoopHeartbeats;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.server.Endpoints;
import io.activemqha.webhook.server.ServeConfig;
import io.activemqha.webhook.server.ServerSettings;
import io.activemqha.webhook.server.WebhookApplication;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the components really export: {@code /metrics} scraped over the network from the real webhook (its HTTPS
 * server on loopback with the development certificate, no API access) and from the labeler's real health server.
 * The labeler's metrics have seen a promotion, a demotion, an API error and success, as in a group that has failed
 * over once: its latency gauges only appear after the first transition.
 *
 * @param webhook the webhook's exposition text
 * @param labeler the labeler's exposition text
 */
record MetricScrapes(String webhook, String labeler) {

    static MetricScrapes scrape() throws Exception {
        return new MetricScrapes(scrapeWebhook(), scrapeLabeler());
    }

    /** The sample names (with their {@code _total}, {@code _bucket}... suffixes) of both scrapes. */
    Set<String> sampleNames() {
        Set<String> names = new TreeSet<>(sampleNames(webhook));
        names.addAll(sampleNames(labeler));
        return names;
    }

    /** The sample lines of both scrapes. */
    Set<String> samples() {
        Set<String> lines = new TreeSet<>();
        (webhook + "\n" + labeler).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(lines::add);
        return lines;
    }

    static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0])
                .forEach(names::add);
        return names;
    }

    private static String scrapeWebhook() throws Exception {
        Vertx vertx = Vertx.vertx();
        WebhookApplication application = new WebhookApplication(vertx, new ServeConfig(
                new ServerSettings("127.0.0.1", 0, 64 * 1024),
                new ServeConfig.TlsSettings(null, Duration.ofSeconds(5)),
                new ServeConfig.RbacSettings(false, Duration.ofMinutes(10), Duration.ofSeconds(3)),
                InjectorConfig.defaults()), null);
        try {
            int port = application.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(TrustedCa.sslContext(application.devCertificate().caCertificate()))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            return get(client, URI.create("https://localhost:" + port + Endpoints.METRICS));
        } finally {
            application.stop(Duration.ofSeconds(1)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static String scrapeLabeler() throws Exception {
        LabelerMetrics metrics = new LabelerMetrics();
        metrics.brokerActive(true);
        metrics.leaderLabel(true);
        metrics.apiError();
        metrics.apiSucceeded();
        metrics.demoted(40);
        metrics.promoted(30);
        metrics.fencedPeer();
        try (HealthServer server = HealthServer.start(new InetSocketAddress("127.0.0.1", 0),
                new LoopHeartbeats(System::nanoTime), Duration.ofSeconds(30), metrics)) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            return get(client, URI.create("http://127.0.0.1:" + server.port() + LabelerContract.METRICS_PATH));
        }
    }

    private static String get(HttpClient client, URI uri) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + uri + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
