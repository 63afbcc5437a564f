package io.activemqha.locker;

import io.activemqha.common.LeaseContract;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The pod's labeler, over {@link LeaseContract}. */
final class HttpLeaseAuthority implements LeaseAuthority {
    private final URI endpoint;
    private final HttpClient http;

    HttpLeaseAuthority(URI endpoint) {
        this.endpoint = endpoint;
        // Loopback only: never a proxy, whatever the broker's JVM is configured with.
        this.http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
    }

    @Override
    public Grant acquireOrRenew(String session, Duration timeout) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header(LeaseContract.HEADER_SESSION, session).POST(HttpRequest.BodyPublishers.noBody()).build());
        return switch (response.statusCode()) {
            case LeaseContract.HELD -> Grant.heldHere(Duration.ofMillis(durationMillis(response)),
                    response.headers().firstValue(LeaseContract.HEADER_TAKEN_OVER).map(Boolean::parseBoolean)
                            .orElse(false), leaseName(response));
            case LeaseContract.HELD_ELSEWHERE ->
                    Grant.heldBy(response.headers().firstValue(LeaseContract.HEADER_HOLDER).orElse(""));
            default -> throw new IOException(endpoint + " answered " + response.statusCode() + ": "
                    + response.body().strip());
        };
    }

    @Override
    public void release(String session, Duration timeout) throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header(LeaseContract.HEADER_SESSION, session).DELETE().build());
        if (response.statusCode() != LeaseContract.RELEASED) {
            throw new IOException(endpoint + " answered " + response.statusCode() + " to the release");
        }
    }

    private String leaseName(HttpResponse<String> response) throws IOException {
        return response.headers().firstValue(LeaseContract.HEADER_LEASE_NAME).filter(name -> !name.isBlank())
                .orElseThrow(() -> new IOException(endpoint + " granted the Lease without "
                        + LeaseContract.HEADER_LEASE_NAME));
    }

    private long durationMillis(HttpResponse<String> response) throws IOException {
        String value = response.headers().firstValue(LeaseContract.HEADER_DURATION_MS)
                .orElseThrow(() -> new IOException(endpoint + " granted the Lease without "
                        + LeaseContract.HEADER_DURATION_MS));
        try {
            long millis = Long.parseLong(value);
            if (millis <= 0) {
                throw new IOException(endpoint + " granted a Lease of " + millis + " ms");
            }
            return millis;
        } catch (NumberFormatException e) {
            throw new IOException(endpoint + " sent " + LeaseContract.HEADER_DURATION_MS + ": " + value, e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // The JDK's client leaves the message of a refused connection empty; the log line must still say why.
            throw new IOException(endpoint + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
