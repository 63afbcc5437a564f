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

    /**
     * The jar leaves out the API-group models the labeler never uses. A class is usable only if its whole
     * signature resolves (Jackson's TypeReference reflects on the operation classes), so every fabric8 client
     * class and core model class must reflect completely, except the listed ones, which the labeler never
     * reaches (metrics, leases, service URLs; and the upload/copy helpers that need commons-compress, an
     * optional dependency that the untrimmed jar lacks too).
     */
    @Test
    void trimmedJarKeepsEveryClientClassTheLabelerCanReach() throws Exception {
        Set<String> unreachable = Set.of(
                "io.fabric8.kubernetes.client.dsl.NodeMetricOperation",
                "io.fabric8.kubernetes.client.dsl.PodMetricOperation",
                "io.fabric8.kubernetes.client.dsl.internal.NodeMetricOperationsImpl",
                "io.fabric8.kubernetes.client.dsl.internal.PodMetricOperationsImpl",
                "io.fabric8.kubernetes.client.dsl.internal.core.v1.PodOperationsImpl$1",
                "io.fabric8.kubernetes.client.dsl.internal.uploadable.PodUpload",
                "io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock",
                "io.fabric8.kubernetes.client.utils.internal.URLFromServiceUtil");
        List<String> broken = new ArrayList<>();
        int checked = 0;
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
             java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            for (java.util.jar.JarEntry entry : java.util.Collections.list(jar.entries())) {
                String name = entry.getName();
                boolean client = name.startsWith("io/fabric8/kubernetes/client/");
                boolean coreModel = name.matches("io/fabric8/kubernetes/api/model/[A-Za-z0-9$]+\\.class");
                if (!name.endsWith(".class") || !(client || coreModel)) {
                    continue;
                }
                String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                checked++;
                try {
                    Class<?> c = Class.forName(className, false, loader);
                    c.getDeclaredMethods();
                    c.getDeclaredFields();
                    c.getDeclaredConstructors();
                    c.getGenericSuperclass();
                    c.getGenericInterfaces();
                } catch (LinkageError | ClassNotFoundException e) {
                    if (!unreachable.contains(className)) {
                        broken.add(className + ": " + e);
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(1000);
        assertThat(broken).isEmpty();
    }
}
