package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.e2e.node.KernelSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@code e2e/cluster.sh up | run -- CMD | down} as a user runs it (with the binaries, images and classes this build
 * already made): the install and the example Running with containerd container IDs, a second {@code up} reusing the
 * running cluster, {@code run} passing on its command's status, {@code e2e/demo.sh} failing the leader over on it, and
 * {@code down} leaving the machine as it was. After
 * {@link RealNodeIT}: one node at a time on this machine (the kubepods cgroups are machine-wide).
 */
@Order(101)
class ClusterScriptIT {
    private static final Duration UP = Duration.ofMinutes(10);
    private static final Duration COMMAND = Duration.ofMinutes(3);

    @Test
    void upRunsTheInstallAndTheExampleRunReachesItAndDownLeavesNothing() throws Exception {
        KernelSettings before = KernelSettings.record();
        Path state = Files.createTempDirectory("activemq-ha-cluster-");
        Map<String, String> environment = Map.of(
                "ACTIVEMQ_HA_CLUSTER_DIR", state.toString(),
                "ACTIVEMQ_HA_CONTROL_PLANE", ControlPlaneBinaries.directory().orElseThrow().toString(),
                "ACTIVEMQ_HA_IMAGES", E2eSettings.imageArchives().get(0).getParent().toString(),
                "ACTIVEMQ_HA_CLUSTER_CLASSPATH", System.getProperty("java.class.path"));
        try {
            CommandResult up;
            try {
                up = cluster(environment, UP, "up");
            } catch (IllegalStateException timedOut) {
                throw new AssertionError(timedOut.getMessage() + "\n" + clusterLog(state), timedOut);
            }
            assertThat(up.exitCode()).as("cluster.sh up: %s", up.stderr()).isZero();
            assertThat(lastLine(up.stdout())).isEqualTo(state.resolve("kubeconfig").toString());

            CommandResult pods = cluster(environment, COMMAND, "run", "--", "kubectl", "get", "pods", "-A", "-o", "wide");
            assertThat(pods.exitCode()).as("kubectl get pods: %s", pods.stderr()).isZero();
            List<String> lines = pods.stdout().lines().toList();
            assertThat(lines).filteredOn(l -> l.startsWith("activemq-ha ") && l.contains("activemq-ha-webhook-"))
                    .hasSize(2).allMatch(l -> l.contains(" 1/1 ") && l.contains(" Running "));
            assertThat(lines).filteredOn(l -> l.startsWith("activemq-ha ") && l.contains("activemq-ha-certs-"))
                    .isNotEmpty().allMatch(l -> l.contains(" Completed "));
            assertThat(lines).filteredOn(l -> l.startsWith("activemq ")).hasSize(2)
                    .allMatch(l -> l.contains(" 2/2 ") && l.contains(" Running "));
            CommandResult ids = cluster(environment, COMMAND, "run", "--", "kubectl", "get", "pods", "-A",
                    "-o", "jsonpath={.items[*].status.initContainerStatuses[*].containerID} "
                            + "{.items[*].status.containerStatuses[*].containerID}");
            // webhook 2, certs Job 3 (create, patch, check), brokers 2 x (broker + the labeler as a native sidecar)
            assertThat(ids.stdout().strip().split("\\s+")).hasSizeGreaterThanOrEqualTo(9)
                    .allMatch(id -> id.startsWith("containerd://"));

            CommandResult again = cluster(environment, COMMAND, "up");
            assertThat(again.exitCode()).isZero();
            assertThat(again.stderr()).contains("already running");
            assertThat(lastLine(again.stdout())).isEqualTo(state.resolve("kubeconfig").toString());
            assertThat(cluster(environment, COMMAND, "run", "--", "sh", "-c", "exit 7").exitCode()).isEqualTo(7);

            // The README's demo, on the running cluster (which it uses and leaves up).
            CommandResult demo = Commands.run(List.of("sh", E2eSettings.projectRoot().resolve("e2e/demo.sh").toString(),
                    "1"), environment, COMMAND);
            assertThat(demo.exitCode()).as("e2e/demo.sh 1: %s\n%s", demo.stdout(), demo.stderr()).isZero();
            assertThat(demo.stderr()).contains("using the running cluster");
            assertThat(demo.stdout()).contains("*** kill -9 the broker container of the leader activemq-")
                    .containsPattern("\\*\\*\\* the Service routes to \\[10\\.214\\.0\\.\\d+ \\(activemq-[a-z0-9-]+\\)\\], \\d+ ms after the kill")
                    .containsPattern("\\*\\*\\* a client connects to 198\\.51\\.100\\.\\d+:61616 again")
                    .contains("it waits for the lock as the standby").endsWith("done\n");
        } finally {
            CommandResult down = cluster(environment, COMMAND, "down");
            assertThat(down.exitCode()).as("cluster.sh down: %s", down.stderr()).isZero();
        }
        assertThat(state).doesNotExist();
        assertThat(KernelSettings.record()).as("kernel settings after cluster.sh down").isEqualTo(before);
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            assertThat(hierarchies.map(h -> h.resolve("kubepods")).filter(Files::exists).toList())
                    .as("kubepods cgroups left behind").isEmpty();
        }
    }

    private static CommandResult cluster(Map<String, String> environment, Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", E2eSettings.projectRoot().resolve("e2e/cluster.sh").toString()));
        command.addAll(List.of(args));
        return Commands.run(command, environment, timeout);
    }

    private static String clusterLog(Path state) {
        try {
            List<String> lines = Files.readAllLines(state.resolve("cluster.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (java.io.IOException e) {
            return "no cluster.log: " + e.getMessage();
        }
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
