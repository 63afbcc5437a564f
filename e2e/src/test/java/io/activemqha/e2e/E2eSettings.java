package io.activemqha.e2e;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Paths the Maven build passes to the end-to-end tests as system properties. */
final class E2eSettings {
    private E2eSettings() {
    }

    /** The repository root (for deploy/, webhook/target, certs/target). */
    static Path projectRoot() {
        return Path.of(required("activemq.ha.project.root")).toAbsolutePath().normalize();
    }

    /** Where component logs are kept after the run, for diagnosis. */
    static Path logDirectory() {
        String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of(required("activemq.ha.work.dir"), "logs", run).toAbsolutePath();
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (run through mvn -Pe2e)");
        }
        return value;
    }
}
