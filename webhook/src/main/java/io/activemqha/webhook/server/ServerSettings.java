package io.activemqha.webhook.server;

/**
 * Where and how the HTTPS endpoint listens.
 *
 * @param host         bind address ({@code 0.0.0.0} in a pod, {@code 127.0.0.1} in tests)
 * @param port         TCP port; 0 picks a free one
 * @param maxBodyBytes largest accepted {@code /mutate} body; larger ones get 413
 * @param eventLoops   server instances, each on its own event loop, sharing the port: reviews are CPU work, so
 *                     one per CPU lets them run in parallel
 */
public record ServerSettings(String host, int port, long maxBodyBytes, int eventLoops) {
    public ServerSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("bind host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("event loops must be at least 1, got " + eventLoops);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("max body size must be positive, got " + maxBodyBytes);
        }
    }

    /** One event loop: for embedding the server (tests, tools), where parallel reviews do not matter. */
    public ServerSettings(String host, int port, long maxBodyBytes) {
        this(host, port, maxBodyBytes, 1);
    }
}
