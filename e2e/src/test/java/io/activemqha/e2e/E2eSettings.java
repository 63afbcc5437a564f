package io.activemqha.e2e;

import io.activemqha.e2e.node.RealNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    /**
     * The image archives e2e/images.sh built: docker archives of the webhook, leader-labeler and certs images, and of
     * the test-only broker stand-in (activemq-classic).
     */
    static List<Path> imageArchives() {
        return RealNode.imageArchives(Path.of(required("activemq.ha.images.dir")));
    }

    /**
     * The reference an image archive ({@code webhook}, {@code leader-labeler}, {@code certs},
     * {@code activemq-classic}) is tagged with.
     */
    static String image(String archive) {
        Path file = Path.of(required("activemq.ha.images.dir"), archive + ".tar");
        CommandResult manifest = Commands.run(List.of("tar", "-xOf", file.toString(), "manifest.json"), Map.of(),
                Duration.ofSeconds(30));
        if (!manifest.succeeded()) {
            throw new IllegalStateException("cannot read manifest.json of " + file + ": " + manifest.stderr());
        }
        try {
            return new ObjectMapper().readTree(manifest.stdout()).path(0).path("RepoTags").path(0).asText();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("manifest.json of " + file + " is not JSON", e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (run through mvn -Pe2e)");
        }
        return value;
    }
}
