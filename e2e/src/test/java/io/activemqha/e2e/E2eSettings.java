package io.activemqha.e2e;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Paths the Maven build passes to the end-to-end tests as system properties. */
final class E2eSettings {
    /** One log directory per test JVM, so every component of a run logs side by side. */
    private static final String RUN = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

    private E2eSettings() {
    }

    /** The repository root (for deploy/, webhook/target, certs/target). */
    static Path projectRoot() {
        return Path.of(required("activemq.ha.project.root")).toAbsolutePath().normalize();
    }

    /** Where component logs are kept after the run, for diagnosis. */
    static Path logDirectory() {
        return Path.of(required("activemq.ha.work.dir"), "logs", RUN).toAbsolutePath();
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (run through mvn -Pe2e)");
        }
        return value;
    }
}
