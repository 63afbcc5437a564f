package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.activemqha.common.InstallNames;
import io.activemqha.common.LabelerEvents;
import io.activemqha.common.RbacNames;
import io.activemqha.e2e.failover.RunningPod;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15 on the real control plane: {@code kubectl activemq-ha} installed as docs/kubectl-plugin.md says and run
 * through kubectl's plugin lookup with a KUBECONFIG, against the example's two broker pods on the process
 * {@link io.activemqha.e2e.failover.Kubelet}: {@code status} follows a failover to the new leader, {@code doctor} is
 * clean on the install and names a broken caBundle and a missing labeler RoleBinding, and an unreachable API server
 * exits 3.
 */
@ExtendWith(E2eExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(9)
class KubectlPluginIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ControlPlane plane;
    private final ActiveMqHa activeMqHa;
    private KubectlPlugin plugin;
    private ExampleOnKubelet example;

    KubectlPluginIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.activeMqHa = activeMqHa;
    }

    @BeforeAll
    void installThePluginAndRunTheExample() {
        plugin = KubectlPlugin.install(plane.kubectl().binary(), ProductJars.in(E2eSettings.projectRoot()).kubectlPlugin(),
                E2eSettings.projectRoot(), plane.newDirectory("kubectl-plugin"));
        example = ExampleOnKubelet.start(plane, activeMqHa, SETTLE);
    }

    @AfterAll
    void stopThePodsAndDeleteTheExample() {
        if (example != null) {
            example.close();
        }
    }

    @Test
    @Order(1)
    void statusShowsTheNewLeaderAfterTheLeadersBrokerIsKilled() throws Exception {
        RunningPod leader = example.awaitSteadyState(SETTLE);
        RunningPod standby = example.pods().other(leader);
        CommandResult text = plugin.run(plane.adminKubeconfig(), "status", "-n", ExampleOnKubelet.NAMESPACE);
        System.out.println("kubectl activemq-ha status (before the failover), exit " + text.exitCode() + ":\n" + text.stdout());
        assertThat(text.exitCode()).as("exit code, stderr: %s", text.stderr()).isZero();
        assertThat(text.stdout()).contains("leader:   " + leader.name());
        JsonNode group = singleGroup(status());
        assertThat(group.get("leader").asText()).isEqualTo(leader.name());
        assertThat(texts(group.get("standbys"))).containsExactly(standby.name());
        assertThat(group.get("pods")).allSatisfy(pod -> {
            assertThat(pod.get("injected").asBoolean()).isTrue();
            assertThat(pod.get("labeler").get("ready").asBoolean()).isTrue();
        });
        assertThat(group.get("services")).singleElement().satisfies(service -> {
            assertThat(service.get("name").asText()).isEqualTo(ExampleOnKubelet.SERVICE);
            assertThat(texts(service.get("readyEndpoints"))).singleElement().asString().startsWith(leader.address());
        });

        leader.kill(BrokerPods.BROKER);
        AtomicReference<String> last = new AtomicReference<>();
        // The labeler records its Event asynchronously after the label patch: the leader label and the endpoint can
        // move before the promotion Event (and with it the broker id) is there to read.
        JsonNode failedOver = Await.until("status to report " + standby.name() + " as the leader, with its promotion",
                SETTLE, () -> {
                    JsonNode report = status();
                    last.set(report.toString());
                    JsonNode current = singleGroup(report);
                    boolean done = standby.name().equals(current.get("leader").asText(null))
                            && texts(current.get("services").get(0).get("readyEndpoints")).stream()
                            .anyMatch(e -> e.startsWith(standby.address()))
                            && !pod(current, standby.name()).get("brokerId").isNull();
                    return done ? Optional.of(current) : Optional.empty();
                }, last::get);
        CommandResult after = plugin.run(plane.adminKubeconfig(), "status", "-n", ExampleOnKubelet.NAMESPACE,
                failedOver.get("name").asText());
        System.out.println("kubectl activemq-ha status activemq (after the failover), exit " + after.exitCode() + ":\n"
                + after.stdout());
        try {
            assertThat(texts(failedOver.get("standbys"))).containsExactly(leader.name());
            JsonNode newLeader = pod(failedOver, standby.name());
            assertThat(newLeader.get("brokerId").asText("")).as("the broker id from the promotion Event").isNotBlank();
            assertThat(failedOver.get("transitions")).anySatisfy(t -> {
                assertThat(t.get("pod").asText()).isEqualTo(standby.name());
                assertThat(t.get("reason").asText()).isEqualTo(LabelerEvents.PROMOTED);
            });
            assertThat(after.stdout()).contains("leader:   " + standby.name(), LabelerEvents.PROMOTED);
        } finally {
            leader.restart(BrokerPods.BROKER);
            example.awaitSteadyState(SETTLE);
        }
    }

    @Test
    @Order(2)
    void doctorIsCleanThenNamesABrokenCaBundleAndAMissingRoleBinding() throws Exception {
        CommandResult clean = plugin.run(plane.adminKubeconfig(), "doctor");
        System.out.println("kubectl activemq-ha doctor (installed), exit " + clean.exitCode() + ":\n" + clean.stdout());
        assertThat(clean.exitCode()).as("doctor on the install:\n%s%s", clean.stdout(), clean.stderr()).isZero();

        RoleBinding binding = plane.client().rbac().roleBindings().inNamespace(ExampleOnKubelet.NAMESPACE)
                .withName(RbacNames.LABELER_ROLE_BINDING).get();
        assertThat(binding).as("the RoleBinding the webhook provisioned").isNotNull();
        try {
            plane.client().rbac().roleBindings().resource(binding).delete();
            // Another CA's certificate: a well-formed bundle that does not trust the serving certificate.
            String otherCa = Base64.getEncoder().encodeToString(
                    plane.pki().authority().certificatePem().getBytes(StandardCharsets.UTF_8));
            plane.kubectl().succeed("patch", "mutatingwebhookconfiguration", InstallNames.WEBHOOK, "--type=json",
                    "-p=[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"" + otherCa + "\"}]");

            CommandResult broken = plugin.run(plane.adminKubeconfig(), "doctor");
            System.out.println("kubectl activemq-ha doctor (broken), exit " + broken.exitCode() + ":\n" + broken.stdout());
            assertThat(broken.exitCode()).isEqualTo(1);
            JsonNode report = JSON.readTree(plugin.run(plane.adminKubeconfig(), "doctor", "-o", "json").stdout());
            List<JsonNode> problems = new ArrayList<>();
            report.get("findings").forEach(f -> {
                if (!"OK".equals(f.get("severity").asText())) {
                    problems.add(f);
                }
            });
            assertThat(problems).extracting(f -> f.get("check").asText())
                    .containsExactlyInAnyOrder("webhook-ca-bundle", "labeler-rbac");
            assertThat(problems).extracting(f -> f.get("message").asText())
                    .anySatisfy(m -> assertThat(m).contains("does not trust the serving certificate"))
                    .anySatisfy(m -> assertThat(m).contains("namespace " + ExampleOnKubelet.NAMESPACE,
                            "RoleBinding " + RbacNames.LABELER_ROLE_BINDING + " is missing"));
            assertThat(problems).allSatisfy(f -> assertThat(f.get("fix").asText()).isNotBlank());
        } finally {
            plane.client().rbac().roleBindings().resource(new RoleBindingBuilder(binding).editMetadata()
                    .withResourceVersion(null).withUid(null).withCreationTimestamp(null).withManagedFields(List.of())
                    .endMetadata().build()).createOr(existing -> existing.update());
            activeMqHa.certs("patch", "--webhook-config=" + InstallNames.WEBHOOK, "--namespace=" + InstallNames.NAMESPACE,
                    "--secret=" + InstallNames.WEBHOOK_TLS_SECRET);
        }
        CommandResult repaired = plugin.run(plane.adminKubeconfig(), "doctor");
        assertThat(repaired.exitCode()).as("doctor after the repair:\n%s", repaired.stdout()).isZero();
    }

    @Test
    @Order(3)
    void anUnreachableApiServerExits3() throws Exception {
        Path kubeconfig = plane.newDirectory("unreachable").resolve("kubeconfig");
        Files.writeString(kubeconfig, Kubeconfig.withToken("https://127.0.0.1:" + LoopbackPorts.free(),
                plane.pki().caCertificate(), "none"));

        CommandResult result = plugin.run(kubeconfig, "doctor");

        assertThat(result.exitCode()).as("stdout %s stderr %s", result.stdout(), result.stderr()).isEqualTo(3);
        assertThat(result.stderr()).contains("cannot reach the API server");
    }

    private JsonNode status() {
        CommandResult result = plugin.run(plane.adminKubeconfig(), "status", "-n", ExampleOnKubelet.NAMESPACE, "-o", "json");
        try {
            return JSON.readTree(result.stdout());
        } catch (Exception e) {
            throw new IllegalStateException("status -o json exited " + result.exitCode() + " with no JSON: "
                    + result.stdout() + result.stderr(), e);
        }
    }

    private static JsonNode singleGroup(JsonNode report) {
        assertThat(report.get("groups")).as("groups in %s", report).hasSize(1);
        return report.get("groups").get(0);
    }

    private static JsonNode pod(JsonNode group, String name) {
        for (JsonNode pod : group.get("pods")) {
            if (name.equals(pod.get("pod").asText())) {
                return pod;
            }
        }
        throw new AssertionError("no pod " + name + " in " + group);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
