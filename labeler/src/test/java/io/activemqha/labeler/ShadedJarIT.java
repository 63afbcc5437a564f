package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacRules;
import io.activemqha.labeler.testing.HaGroup;
import io.activemqha.labeler.testing.Http;
import io.activemqha.labeler.testing.MockApi;
import io.activemqha.labeler.testing.RbacAudit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged artifact: the shaded jar started by the launcher script (the image's entry point), with its
 * JVM flags. Failover both ways, then SIGTERM; and the jar's own command line.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of(System.getProperty("labeler.jar", "target/activemq-ha-labeler.jar"));
    private static final Path LAUNCHER = Path.of(System.getProperty("labeler.launcher", "src/main/sh/labeler"));

    @TempDir
    Path dir;

    @Test
    void launcherAndShadedJarFollowAFailoverAndDemoteOnSigterm() throws Exception {
        assertThat(JAR).exists();
        Function<Integer, List<String>> launcher = port -> {
            List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toAbsolutePath().toString()));
            cmd.addAll(HaGroup.labelerArgs());
            return cmd;
        };
        Map<String, String> env = Map.of("LABELER_JAR", JAR.toAbsolutePath().toString());
        try (MockApi api = new MockApi(); HaGroup g = new HaGroup(api, dir, "shaded-jar")) {
            HaGroup.Broker a = g.startMaster("a");
            HaGroup.Broker b = g.startSlave("b");
            g.createPod("pod-a", null);
            g.createPod("pod-b", null);
            HaGroup.Labeler labelerA = g.startLabeler("pod-a", a.openwireUrl(), launcher, env);
            HaGroup.Labeler labelerB = g.startLabeler("pod-b", b.openwireUrl(), launcher, env);
            g.awaitLabel("pod-a", Labels.LEADER_YES);
            g.awaitLabel("pod-b", Labels.LEADER_NO);

            a.process().kill();
            b.awaitMaster(1);
            g.awaitLabel("pod-b", Labels.LEADER_YES);
            g.awaitLabel("pod-a", Labels.LEADER_NO);
            assertThat(Http.get(labelerB.healthPort(), LabelerContract.HEALTH_PATH).status()).isEqualTo(200);
            // The launcher execs the JVM: the flags it chose are those of the labeler process itself.
            assertThat(ProcessHandle.of(labelerB.process().pid()).orElseThrow().info().arguments().orElseThrow())
                    .contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar");

            assertThat(labelerB.process().terminate(Duration.ofSeconds(20))).isZero();
            assertThat(g.label("pod-b")).isEqualTo(Labels.LEADER_NO);
            assertThat(labelerA.process().isAlive()).isTrue();

            Set<RbacAudit.Access> used = new java.util.HashSet<>();
            api.takeRequests().stream().filter(r -> !MockApi.TEST_USER_AGENT.equals(r.getHeader("User-Agent")))
                    .map(r -> RbacAudit.of(r.getMethod(), r.getPath())).flatMap(Optional::stream).forEach(used::add);
            assertThat(used).isNotEmpty().allSatisfy(access ->
                    assertThat(RbacRules.LABELER.getOrDefault(access.resource(), Set.of())).contains(access.verb()));
        }
    }

    @Test
    void jarReportsInvalidConfigurationWithExitCodeTwo() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(io.activemqha.labeler.testing.Jvm.jar(List.of(), JAR,
                List.of("--pod-name", "p", "--namespace", "n", "--broker-url", "failover:(tcp://a:1)")))
                .redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isEqualTo(2);
        assertThat(out).contains("invalid configuration: BROKER_URL: expected scheme://host:port");
        Files.writeString(dir.resolve("out.txt"), out);
    }
}
