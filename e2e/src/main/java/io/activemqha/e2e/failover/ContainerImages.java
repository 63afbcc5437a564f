package io.activemqha.e2e.failover;

import io.activemqha.common.LabelerContract;
import io.activemqha.e2e.ProductJars;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which local program stands for which container image, since nothing is pulled: the injected
 * {@code leader-labeler} container runs the real labeler jar through its launcher script (what the image runs), any
 * other container is the ActiveMQ broker of the example, run by {@link PodBroker} on this JVM's class path.
 *
 * @param labelerLauncher {@code labeler/src/main/sh/labeler}
 * @param labelerJar      {@code labeler/target/activemq-ha-labeler.jar}
 * @param brokerClassPath class path holding {@link PodBroker} and ActiveMQ
 */
public record ContainerImages(Path labelerLauncher, Path labelerJar, String brokerClassPath) {
    /** Where the broker image reads activemq.xml ({@code bin/activemq console}'s conf directory). */
    public static final String BROKER_CONFIG = "/opt/apache-activemq/conf/activemq.xml";
    /** The broker image's variable of JVM memory flags. */
    private static final String BROKER_MEMORY = "ACTIVEMQ_OPTS_MEMORY";

    /** The launcher and jar under {@code projectRoot}, and this JVM's class path for the brokers. */
    public static ContainerImages in(Path projectRoot) {
        Path jar = projectRoot.resolve("labeler/target/activemq-ha-labeler.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it first (mvn -B -ntp -pl labeler package "
                    + "-DskipTests)");
        }
        return new ContainerImages(projectRoot.resolve("labeler/src/main/sh/labeler"), jar,
                System.getProperty("java.class.path"));
    }

    /** The command and the variables the image itself adds (JAVA_HOME, the jar's location). */
    public record Program(List<String> command, Map<String, String> extraEnvironment) {
    }

    public Program programFor(Container container, ContainerFilesystem filesystem) {
        List<String> args = Optional.ofNullable(container.getArgs()).orElse(List.of());
        if (container.getName().equals(LabelerContract.CONTAINER_NAME)) {
            List<String> command = new ArrayList<>(List.of("sh", labelerLauncher.toString()));
            command.addAll(args);
            return new Program(command, Map.of("LABELER_JAR", labelerJar.toString(),
                    "JAVA_HOME", System.getProperty("java.home")));
        }
        List<String> command = new ArrayList<>(List.of(ProductJars.java()));
        Optional.ofNullable(container.getEnv()).orElse(List.of()).stream()
                .filter(variable -> variable.getName().equals(BROKER_MEMORY)).map(EnvVar::getValue)
                .findFirst().ifPresent(memory -> command.addAll(Arrays.asList(memory.trim().split("\\s+"))));
        command.addAll(List.of("-cp", brokerClassPath, PodBroker.class.getName(), BROKER_CONFIG));
        command.addAll(filesystem.toArguments());
        return new Program(command, Map.of());
    }
}
