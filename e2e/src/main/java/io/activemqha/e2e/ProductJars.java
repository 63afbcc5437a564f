package io.activemqha.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The executable jars the product ships, as the tests run them (the same files the container images contain).
 *
 * @param webhook the webhook ({@code serve}, {@code inject})
 * @param certs   the certificate tool ({@code create}, {@code patch}, {@code check})
 * @param kubectlPlugin the kubectl plugin ({@code kubectl activemq-ha status|doctor}), run by its launcher script
 */
public record ProductJars(Path webhook, Path certs, Path kubectlPlugin) {
    /**
     * The jars under {@code projectRoot}'s module target directories, unless system properties
     * {@code activemq.ha.webhook.jar} / {@code activemq.ha.certs.jar} / {@code activemq.ha.cli.jar} name others.
     *
     * @throws IllegalStateException when one is missing, saying how to build it
     */
    public static ProductJars in(Path projectRoot) {
        return new ProductJars(require("activemq.ha.webhook.jar", projectRoot.resolve("webhook/target/activemq-ha-webhook.jar")),
                require("activemq.ha.certs.jar", projectRoot.resolve("certs/target/activemq-ha-certs.jar")),
                require("activemq.ha.cli.jar", projectRoot.resolve("cli/target/activemq-ha-cli.jar")));
    }

    /** The jar named by system property {@code override} (e.g. to test a released build), else {@code built}. */
    private static Path require(String override, Path built) {
        String chosen = System.getProperty(override, "");
        Path jar = chosen.isBlank() ? built : Path.of(chosen);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -B verify -Pe2e builds every module "
                    + "before e2e; alone: mvn -B -ntp package -DskipTests)");
        }
        return jar;
    }

    /** The java launcher of the running JVM, so child JVMs use the same runtime. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
