package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.activemqha.common.InstallNames;
import io.activemqha.common.Labels;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.TypeChecking;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Scenario 4: what a real labeler token can do. The token is requested for the labeler's ServiceAccount bound to pod
 * A (as the kubelet's projected volume binds it); RBAC grants it "patch pods", the ValidatingAdmissionPolicy of
 * deploy/install narrows that to the fencing rule: promote only its own pod, demote any peer, change nothing else.
 * RBAC grants "delete pods" too, which the pod-delete policy narrows to fencing the previous Lease holder: a pod of its
 * group, not its own, with a grace period of at least 1 s and a UID precondition; and the Lease policy narrows the
 * holder identity to the token's {@code <pod name>_<pod UID>}.
 *
 * <p>The pods are bound to a node (no kubelet runs it): the API server deletes a pod that is not scheduled at once
 * whatever grace period the request asks for, which the pod-delete policy refuses. So the test force-deletes them as
 * admin before the namespace goes, or the namespace would wait for a kubelet forever.
 */
@ExtendWith(E2eExtension.class)
@Order(5)
class LabelerSecurityIT {
    private static final String GROUP = "brokers";
    /** A node name only: no Node object, no kubelet. */
    private static final String NODE = "labeler-security-node";

    private final ControlPlane plane;
    private final KubernetesClient client;
    private TestNamespace namespace;
    private TestNamespace otherNamespace;
    private Kubectl asLabelerOfA;
    private KubernetesClient labelerOfA;

    LabelerSecurityIT(ControlPlane plane, ActiveMqHa activeMqHa) {
        this.plane = plane;
        this.client = plane.client();
    }

    @BeforeEach
    void podsAAndBOfOneGroupAndATokenBoundToA() throws Exception {
        namespace = TestNamespace.create(client, "labeler-security");
        for (String pod : new String[] {"a", "b"}) {
            createPod(namespace.name(), pod, scheduled(Manifests.groupPod(pod, GROUP)));
        }
        Pod podA = pod("a");
        assertThat(podA.getSpec().getServiceAccountName()).isEqualTo(RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(podA.getMetadata().getLabels()).containsEntry(Labels.GROUP, GROUP).containsEntry(Labels.LEADER, Labels.LEADER_NO);
        String token = plane.serviceAccountToken(namespace.name(), RbacNames.LABELER_SERVICE_ACCOUNT, podA);
        Path kubeconfig = plane.writeTokenKubeconfig(namespace.name() + "-labeler-a", token);
        asLabelerOfA = plane.kubectl().as(kubeconfig);
        labelerOfA = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig.toFile())).build();
    }

    @AfterEach
    void deleteNamespaces() {
        if (labelerOfA != null) {
            labelerOfA.close();
        }
        for (TestNamespace ns : new TestNamespace[] {namespace, otherNamespace}) {
            if (ns != null) {
                client.pods().inNamespace(ns.name()).withGracePeriod(0).delete();
                ns.close();
            }
        }
    }

    @Test
    void tokenIsTheLabelerAccountBoundToPodA() {
        String whoAmI = asLabelerOfA.succeed("auth", "whoami", "-o", "yaml");

        assertThat(whoAmI).contains("system:serviceaccount:" + namespace.name() + ":" + RbacNames.LABELER_SERVICE_ACCOUNT)
                .contains("authentication.kubernetes.io/pod-name").contains("- a")
                .contains("authentication.kubernetes.io/pod-uid").contains("- " + uid("a"));
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
        CommandResult create = asLabelerOfA.run("run", "stolen", "-n", namespace.name(), "--image=registry.invalid/x:1");
        CommandResult secrets = asLabelerOfA.run("get", "secrets", "-n", namespace.name());

        assertThat(create.exitCode()).isEqualTo(1);
        assertThat(create.stderr()).contains("Forbidden").contains("cannot create resource \"pods\"");
        assertThat(secrets.exitCode()).isEqualTo(1);
        assertThat(secrets.stderr()).contains("cannot list resource \"secrets\"");
    }

    /** The API server type-checks the pod-delete policy's CEL against the Pod schema and AdmissionRequest without warnings. */
    @Test
    void thePodDeletePolicyTypeChecks() {
        String name = InstallNames.LABELER_POD_DELETE_POLICY;
        TypeChecking typeChecking = Await.until("type checking of ValidatingAdmissionPolicy " + name, Duration.ofSeconds(60),
                () -> Optional.ofNullable(deletePolicy().getStatus()).map(status -> status.getTypeChecking()),
                () -> String.valueOf(deletePolicy().getStatus()));

        assertThat(typeChecking.getExpressionWarnings()).as("%s's CEL type-checked against the schema", name).isEmpty();
    }

    /**
     * The fencing call of a labeler that took its group's Lease over (issue 24): DELETE of the previous holder's pod
     * with {@code gracePeriodSeconds: 1} and {@code preconditions.uid}, as the labeler sends it with fabric8.
     */
    @Test
    void mayDeleteAGroupPeerWithAGracePeriodAndItsUid() {
        String uid = uid("b");

        deletePod(namespace.name(), "b", fencing(uid));

        Pod b = pod("b");
        assertThat(b.getMetadata().getDeletionTimestamp()).as("graceful deletion started").isNotNull();
        assertThat(b.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(1L);
        assertThat(b.getMetadata().getUid()).isEqualTo(uid);
    }

    @Test
    void mayNotDeleteAPodWithoutAUidPrecondition() {
        String uid = uid("b");
        // fabric8's delete DSL sends a grace period, but has no UID precondition.
        KubernetesClientException dsl = catchThrowableOfType(KubernetesClientException.class,
                () -> labelerOfA.pods().inNamespace(namespace.name()).withName("b").withGracePeriod(1).delete());
        assertDenied(dsl, "may delete pod b only with preconditions.uid set to its UID " + uid
                + " (the one the Lease holder identity names); the request has none");

        // Another pod instance's UID never gets to the policy: the API server checks the precondition first.
        KubernetesClientException otherInstance = catchThrowableOfType(KubernetesClientException.class,
                () -> deletePod(namespace.name(), "b", fencing(uid("a"))));
        assertThat(otherInstance.getCode()).as(otherInstance.getMessage()).isEqualTo(409);
        assertThat(otherInstance.getMessage()).contains("the UID in the precondition");
        assertThat(pod("b").getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void mayNotForceDeleteAPod() {
        KubernetesClientException zero = catchThrowableOfType(KubernetesClientException.class,
                () -> deletePod(namespace.name(), "b",
                        new DeleteOptionsBuilder(fencing(uid("b"))).withGracePeriodSeconds(0L).build()));
        CommandResult kubectlForce = asLabelerOfA.run("delete", "pod", "b", "-n", namespace.name(), "--force",
                "--grace-period=0", "--wait=false");

        assertDenied(zero, "may not force-delete pod b: gracePeriodSeconds must be at least 1, not 0");
        assertThat(kubectlForce.exitCode()).isEqualTo(1);
        assertThat(kubectlForce.stderr()).contains("may not force-delete pod b");
        assertThat(pod("b").getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void mayNotDeleteAPodOutsideAnHaGroup() {
        createPod(namespace.name(), "plain", scheduled(plainPod("plain", null)));

        KubernetesClientException denied = catchThrowableOfType(KubernetesClientException.class,
                () -> deletePod(namespace.name(), "plain", fencing(uid("plain"))));

        assertDenied(denied, "pod plain has no " + Labels.GROUP + " label; the leader-labeler deletes only pods of an HA group");
        assertThat(pod("plain").getMetadata().getDeletionTimestamp()).isNull();
    }

    @Test
    void mayNotDeleteItsOwnPod() {
        KubernetesClientException denied = catchThrowableOfType(KubernetesClientException.class,
                () -> deletePod(namespace.name(), "a", fencing(uid("a"))));

        assertDenied(denied, "may not delete its own pod a");
        assertThat(pod("a").getMetadata().getDeletionTimestamp()).isNull();
    }

    /** Even where a RoleBinding (a mistake) grants the labeler of one namespace its role in another. */
    @Test
    void mayNotDeleteAPodOfAnotherNamespace() {
        otherNamespace = TestNamespace.create(client, "labeler-security-other");
        String other = otherNamespace.name();
        Await.untilTrue("ServiceAccount " + other + "/default", Duration.ofSeconds(60),
                () -> client.serviceAccounts().inNamespace(other).withName("default").get() != null, () -> "absent");
        createPod(other, "c", scheduled(plainPod("c", GROUP)));
        client.rbac().roleBindings().inNamespace(other).resource(new RoleBindingBuilder()
                .withNewMetadata().withName("foreign-labeler").endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName(RbacNames.LABELER_CLUSTER_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(RbacNames.LABELER_SERVICE_ACCOUNT)
                .withNamespace(namespace.name()).endSubject()
                .build()).create();
        String uid = client.pods().inNamespace(other).withName("c").get().getMetadata().getUid();

        KubernetesClientException denied = catchThrowableOfType(KubernetesClientException.class,
                () -> deletePod(other, "c", fencing(uid)));

        assertDenied(denied, "system:serviceaccount:" + namespace.name() + ":" + RbacNames.LABELER_SERVICE_ACCOUNT
                + " may delete pods of its own namespace only, not of " + other);
        assertThat(client.pods().inNamespace(other).withName("c").get().getMetadata().getDeletionTimestamp()).isNull();
    }

    /**
     * The lease locker's Lease (docs/lease-locker.md): the labeler holds its group's Lease for its own pod, may take it
     * over from a peer whose renewals stopped, and release it when its pod holds it; RBAC grants get, create and
     * update, and the Lease policy narrows the holder to the token's pod.
     */
    @Test
    void mayHoldTakeOverAndReleaseItsGroupsLeaseForItsOwnPod() throws Exception {
        String lease = LeaseContract.leaseName(GROUP);
        String self = holderOf("a");
        String peer = holderOf("b");
        assertThat(asLabelerOfA.run("create", "-f", leaseFile(lease, self)).exitCode()).isZero();
        assertThat(holder(lease)).isEqualTo(self);
        plane.kubectl().succeed("replace", "-f", leaseFile(lease, peer));

        CommandResult takeover = asLabelerOfA.run("replace", "-f", leaseFile(lease, self));
        assertThat(takeover.exitCode()).as(takeover.stderr()).isZero();
        assertThat(holder(lease)).isEqualTo(self);

        CommandResult release = asLabelerOfA.run("replace", "-f", leaseFile(lease, ""));
        assertThat(release.exitCode()).as(release.stderr()).isZero();
        assertThat(holder(lease)).isNull();
    }

    /** The holder identity is the token's pod name and UID: the name alone (before issue 24) no longer passes. */
    @Test
    void mayNotHoldTheLeaseWithTheNameOnlyIdentityOrAnotherInstancesUid() throws Exception {
        String lease = LeaseContract.leaseName(GROUP);
        CommandResult nameOnly = asLabelerOfA.run("create", "-f", leaseFile(lease, "a"));
        String otherInstance = LeaseContract.holderIdentity("a", uid("b"));
        CommandResult otherUid = asLabelerOfA.run("create", "-f", leaseFile(lease, otherInstance));

        assertThat(nameOnly.exitCode()).isEqualTo(1);
        assertThat(nameOnly.stderr()).contains("ValidatingAdmissionPolicy")
                .contains("may hold a Lease only for its own pod, as holder <pod name>_<pod UID> (" + holderOf("a")
                        + "), or release one its pod holds; not set holder \"a\"");
        assertThat(otherUid.exitCode()).isEqualTo(1);
        assertThat(otherUid.stderr()).contains("not set holder \"" + otherInstance + "\"");
        assertThat(client.leases().inNamespace(namespace.name()).withName(lease).get()).isNull();
    }

    @Test
    void mayNotNameAnotherPodAsHolderReleaseAPeersLeaseOrWriteOtherLeases() throws Exception {
        String lease = LeaseContract.leaseName(GROUP);
        String self = holderOf("a");
        String peer = holderOf("b");
        CommandResult forPeer = asLabelerOfA.run("create", "-f", leaseFile(lease, peer));
        assertThat(forPeer.exitCode()).isEqualTo(1);
        assertThat(forPeer.stderr()).contains("ValidatingAdmissionPolicy")
                .contains("may hold a Lease only for its own pod, as holder <pod name>_<pod UID> (" + self
                        + "), or release one its pod holds; not set holder \"" + peer + "\"");

        plane.kubectl().succeed("create", "-f", leaseFile(lease, peer));
        CommandResult releasePeers = asLabelerOfA.run("replace", "-f", leaseFile(lease, ""));
        assertThat(releasePeers.exitCode()).isEqualTo(1);
        assertThat(releasePeers.stderr()).contains("(held by " + peer + ")");
        assertThat(holder(lease)).isEqualTo(peer);

        CommandResult other = asLabelerOfA.run("create", "-f", leaseFile("kube-scheduler", self));
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

    /** The Lease holder identity of pod {@code name} of the test namespace: {@code <name>_<uid>}. */
    private String holderOf(String name) {
        return LeaseContract.holderIdentity(name, uid(name));
    }

    private String uid(String name) {
        return pod(name).getMetadata().getUid();
    }

    private ValidatingAdmissionPolicy deletePolicy() {
        return client.admissionRegistration().v1().validatingAdmissionPolicies()
                .withName(InstallNames.LABELER_POD_DELETE_POLICY).get();
    }

    /** The DeleteOptions of the labeler's fencing delete. */
    private static DeleteOptions fencing(String uid) {
        return new DeleteOptionsBuilder().withGracePeriodSeconds(1L).withNewPreconditions().withUid(uid).endPreconditions()
                .build();
    }

    /** DELETE of a pod as the labeler of A, with {@code options} as the body (fabric8's DSL sets no UID precondition). */
    private void deletePod(String inNamespace, String name, DeleteOptions options) {
        labelerOfA.raw("/api/v1/namespaces/" + inNamespace + "/pods/" + name, "DELETE", options);
    }

    /** A denial by the pod-delete policy: 403, the policy named, and its message. */
    private static void assertDenied(KubernetesClientException denied, String message) {
        assertThat(denied).as("the request was refused").isNotNull();
        assertThat(denied.getCode()).as(denied.getMessage()).isEqualTo(403);
        assertThat(denied.getMessage()).contains("ValidatingAdmissionPolicy").contains(InstallNames.LABELER_POD_DELETE_POLICY)
                .contains("activemq-ha: ").contains(message);
    }

    /** {@code podYaml} bound to {@link #NODE} (it ends with the pod's spec, as {@link Manifests} writes it). */
    private static String scheduled(String podYaml) {
        return podYaml + "  nodeName: " + NODE + "\n";
    }

    /** A pod that did not opt in to activemq-ha; with the group label (set by hand) unless {@code group} is null. */
    private static String plainPod(String name, String group) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  labels: %s
                spec:
                  automountServiceAccountToken: false
                  containers:
                  - name: broker
                    image: registry.invalid/activemq-classic:e2e
                """.formatted(name, group == null ? "{}" : "{\"" + Labels.GROUP + "\": \"" + group + "\"}");
    }

    private void createPod(String inNamespace, String name, String yaml) {
        try {
            Path file = plane.newDirectory("labeler-security").resolve(name + ".yaml");
            plane.kubectl().succeed("create", "-n", inNamespace, "-f", Files.writeString(file, yaml).toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
