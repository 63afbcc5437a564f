package io.activemqha.labeler;

import java.time.Duration;
import java.time.Instant;

/** Milliseconds since this process started, as reported in start-up log lines (no JMX: it costs start-up time). */
final class Uptime {
    private Uptime() {
    }

    static long millis() {
        return ProcessHandle.current().info().startInstant()
                .map(start -> Duration.between(start, Instant.now()).toMillis())
                .orElse(-1L);
    }
}
