package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Labels;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 4: what a real labeler token can do. The token is requested for the labeler's ServiceAccount bound to pod
 * A (as the kubelet's projected volume binds it); RBAC grants it "patch pods", the ValidatingAdmissionPolicy of
 * deploy/install narrows that to the fencing rule: promote only its own pod, demote any peer, change nothing else.
 */
@ExtendWith(E2eExtension.class)
@Order(5)
class LabelerSecurityIT {
    private static final String GROUP = "brokers";

    private final ControlPlane plane;
    private final KubernetesClient client;
    private TestNamespace namespace;
    private Kubectl asLabelerOfA;

    LabelerSecurityIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.client = plane.client();
    }

    @BeforeEach
    void podsAAndBOfOneGroupAndATokenBoundToA() throws Exception {
        namespace = TestNamespace.create(client, "labeler-security");
        Path manifests = plane.newDirectory("labeler-security");
        for (String pod : new String[] {"a", "b"}) {
            plane.kubectl().succeed("create", "-n", namespace.name(), "-f",
                    Files.writeString(manifests.resolve(pod + ".yaml"), Manifests.groupPod(pod, GROUP)).toString());
        }
        Pod podA = pod("a");
        assertThat(podA.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(podA.getMetadata().getLabels()).containsEntry(Labels.GROUP, GROUP).containsEntry(Labels.LEADER, Labels.LEADER_NO);
        String token = plane.serviceAccountToken(namespace.name(), RbacNames.LABELER_SERVICE_ACCOUNT, podA);
        asLabelerOfA = plane.kubectl().as(plane.writeTokenKubeconfig(namespace.name() + "-labeler-a", token));
    }

    @AfterEach
    void deleteNamespace() {
        namespace.close();
    }

    @Test
    void tokenIsTheLabelerAccountBoundToPodA() {
        String whoAmI = asLabelerOfA.succeed("auth", "whoami", "-o", "yaml");

        assertThat(whoAmI).contains("system:serviceaccount:" + namespace.name() + ":" + RbacNames.LABELER_SERVICE_ACCOUNT)
                .contains("authentication.kubernetes.io/pod-name").contains("- a");
    }

    @Test
    void mayPromoteItsOwnPod() {
        CommandResult result = label("a", Labels.LEADER + "=" + Labels.LEADER_YES);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(pod("a").getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_YES);
    }

    @Test
    void mayNotPromoteAnotherPod() {
        CommandResult result = label("b", Labels.LEADER + "=" + Labels.LEADER_YES);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("ValidatingAdmissionPolicy")
                .contains("may set leader=yes only on its own pod (a), not on b");
        assertThat(pod("b").getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO);
    }

    @Test
    void mayDemoteAPeerAsTheFencingRuleAllows() {
        plane.kubectl().succeed("label", "pod", "b", "-n", namespace.name(), "--overwrite",
                Labels.LEADER + "=" + Labels.LEADER_YES);

        CommandResult result = label("b", Labels.LEADER + "=" + Labels.LEADER_NO);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(pod("b").getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO);
    }

    @Test
    void mayNotChangeAnyOtherLabelOfItsOwnPod() {
        CommandResult added = label("a", "app=stolen");
        CommandResult changedGroup = label("a", Labels.GROUP + "=other");

        assertThat(added.exitCode()).isEqualTo(1);
        assertThat(added.stderr()).contains("may change only the 'leader' label of a pod, no other label");
        assertThat(changedGroup.exitCode()).isEqualTo(1);
        assertThat(changedGroup.stderr()).contains("may change only the 'leader' label of a pod, no other label");
        assertThat(pod("a").getMetadata().getLabels()).doesNotContainKey("app").containsEntry(Labels.GROUP, GROUP);
    }

    @Test
    void mayNotChangeAnnotationsOfItsOwnPod() {
        CommandResult result = asLabelerOfA.run("annotate", "pod", "a", "-n", namespace.name(), "note=x");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("not its annotations, finalizers or owners");
        assertThat(pod("a").getMetadata().getAnnotations()).doesNotContainKey("note");
    }

    @Test
    void mayNotChangeTheSpecOfItsOwnPod() {
        CommandResult result = asLabelerOfA.run("patch", "pod", "a", "-n", namespace.name(), "--type=merge",
                "-p={\"spec\":{\"activeDeadlineSeconds\":5}}");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("may change only the 'leader' label of a pod, not its spec");
        assertThat(pod("a").getSpec().getActiveDeadlineSeconds()).isNull();
    }

    @Test
    void rbacStillRefusesWhatThePolicyNeverSees() {
        CommandResult delete = asLabelerOfA.run("delete", "pod", "b", "-n", namespace.name(), "--wait=false");
        CommandResult secrets = asLabelerOfA.run("get", "secrets", "-n", namespace.name());

        assertThat(delete.exitCode()).isEqualTo(1);
        assertThat(delete.stderr()).contains("Forbidden").contains("cannot delete resource \"pods\"");
        assertThat(secrets.exitCode()).isEqualTo(1);
        assertThat(secrets.stderr()).contains("cannot list resource \"secrets\"");
    }

    /**
     * The lease locker's Lease (docs/lease-locker.md): the labeler holds its group's Lease for its own pod, may take it
     * over from a peer whose renewals stopped, and release it when its pod holds it; RBAC grants get, create and
     * update, and the Lease policy narrows the holder to the token's pod.
     */
    @Test
    void mayHoldTakeOverAndReleaseItsGroupsLeaseForItsOwnPod() throws Exception {
        String lease = LeaseContract.leaseName(GROUP);
        assertThat(asLabelerOfA.run("create", "-f", leaseFile(lease, "a")).exitCode()).isZero();
        assertThat(holder(lease)).isEqualTo("a");
        plane.kubectl().succeed("replace", "-f", leaseFile(lease, "b"));

        CommandResult takeover = asLabelerOfA.run("replace", "-f", leaseFile(lease, "a"));
        assertThat(takeover.exitCode()).as(takeover.stderr()).isZero();
        assertThat(holder(lease)).isEqualTo("a");

        CommandResult release = asLabelerOfA.run("replace", "-f", leaseFile(lease, ""));
        assertThat(release.exitCode()).as(release.stderr()).isZero();
        assertThat(holder(lease)).isNull();
    }

    @Test
    void mayNotNameAnotherPodAsHolderReleaseAPeersLeaseOrWriteOtherLeases() throws Exception {
        String lease = LeaseContract.leaseName(GROUP);
        CommandResult forPeer = asLabelerOfA.run("create", "-f", leaseFile(lease, "b"));
        assertThat(forPeer.exitCode()).isEqualTo(1);
        assertThat(forPeer.stderr()).contains("ValidatingAdmissionPolicy")
                .contains("may hold a Lease only for its own pod (a), or release one its pod holds; not set holder \"b\"");

        plane.kubectl().succeed("create", "-f", leaseFile(lease, "b"));
        CommandResult releasePeers = asLabelerOfA.run("replace", "-f", leaseFile(lease, ""));
        assertThat(releasePeers.exitCode()).isEqualTo(1);
        assertThat(releasePeers.stderr()).contains("(held by b)");
        assertThat(holder(lease)).isEqualTo("b");

        CommandResult other = asLabelerOfA.run("create", "-f", leaseFile("kube-scheduler", "a"));
        assertThat(other.exitCode()).isEqualTo(1);
        assertThat(other.stderr()).contains("may write only activemq-ha-<group> Leases, not kube-scheduler");
        CommandResult delete = asLabelerOfA.run("delete", "lease", lease, "-n", namespace.name());
        assertThat(delete.exitCode()).isEqualTo(1);
        assertThat(delete.stderr()).contains("cannot delete resource \"leases\"");
    }

    private String leaseFile(String name, String holder) throws java.io.IOException {
        Path file = plane.newDirectory("lease").resolve(name + ".yaml");
        return Files.writeString(file, "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: " + name
                + "\n  namespace: " + namespace.name() + "\nspec:\n  leaseDurationSeconds: 15\n"
                + (holder.isEmpty() ? "" : "  holderIdentity: " + holder + "\n")).toString();
    }

    private String holder(String lease) {
        return client.leases().inNamespace(namespace.name()).withName(lease).get().getSpec().getHolderIdentity();
    }

    private CommandResult label(String pod, String label) {
        return asLabelerOfA.run("label", "pod", pod, "-n", namespace.name(), "--overwrite", label);
    }

    private Pod pod(String name) {
        return client.pods().inNamespace(namespace.name()).withName(name).get();
    }
}
