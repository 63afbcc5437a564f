package io.activemqha.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's baseline: an HTTPS server with the webhook's transport settings (TLS 1.2/1.3, ALPN h2 and
 * http/1.1, same certificate) that reads each {@code POST /mutate} body and answers a precomputed AdmissionReview
 * response without looking at it. Whatever the webhook costs beyond this server is the cost of reviewing.
 *
 * <p>Usage: {@code BaselineServer HOST PORT TLS_CERT TLS_KEY RESPONSE_FILE}; prints {@code listening on port N}.
 */
public final class BaselineServer {
    private static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final String JSON = "application/json";

    private final Buffer response;

    private BaselineServer(Buffer response) {
        this.response = response;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 5) {
            System.err.println("usage: BaselineServer HOST PORT TLS_CERT TLS_KEY RESPONSE_FILE");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        Buffer response = Buffer.buffer(Files.readAllBytes(Path.of(args[4])));
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setSsl(true)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(args[2]).setKeyPath(args[3]))
                .setSslHandshakeTimeout(10)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
                .setIdleTimeout(120)
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
        Vertx vertx = Vertx.vertx();
        BaselineServer baseline = new BaselineServer(response);
        HttpServer server;
        try {
            server = vertx.createHttpServer(options).requestHandler(baseline::handle)
                    .listen().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("baseline failed to start on " + host + ":" + port + ": " + e);
            vertx.close();
            System.exit(1);
            return;
        }
        System.out.println("listening on port " + server.actualPort());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vertx.close().toCompletionStage().toCompletableFuture().join();
            stopped.countDown();
        }, "baseline-shutdown"));
        stopped.await();
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.GET && "/readyz".equals(request.path())) {
            request.response().end("ready\n");
        } else if (request.method() == HttpMethod.POST && "/mutate".equals(request.path())) {
            // Reads the whole body, as the webhook does, then answers without parsing it.
            request.body().onSuccess(body -> request.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(response))
                    .onFailure(e -> request.response().setStatusCode(400).end(e.toString()));
        } else {
            request.response().setStatusCode(404).end();
        }
    }
}
