package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.InstallNames;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Lease policy of deploy/install, evaluated on the CEL of the rendered manifest for the CREATE and UPDATE requests
 * a labeler's Lease keeper makes: hold, renew, take over and release its group's Lease for its own pod, nothing else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeasePolicyTest {
    private static final String NAMESPACE = "activemq";
    private static final String LEASE = LeaseContract.leaseName("activemq");
    private static final String SELF = "activemq-0";
    private static final String PEER = "activemq-1";
    private static final String LABELER = "system:serviceaccount:" + NAMESPACE + ":" + RbacNames.LABELER_SERVICE_ACCOUNT;

    private final ObjectMapper json = new ObjectMapper();
    private ValidatingAdmissionPolicy policy;
    private ValidatingAdmissionPolicyBinding binding;
    private PolicyEvaluator evaluator;

    @BeforeAll
    void setUp() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered install = tree.render(tree.paths().install());
        policy = install.one(ValidatingAdmissionPolicy.class, InstallNames.LABELER_LEASE_POLICY);
        binding = install.one(ValidatingAdmissionPolicyBinding.class, InstallNames.LABELER_LEASE_POLICY);
        evaluator = new PolicyEvaluator(policy, new CelEvaluator());
    }

    @Test
    void isBoundToDenyAndCoversLeaseCreatesAndUpdatesOnly() {
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
        assertThat(policy.getSpec().getMatchConstraints().getResourceRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(rule.getResources()).containsExactly("leases");
            assertThat(rule.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE");
        });
        assertThat(policy.getSpec().getValidations()).anySatisfy(v -> assertThat(v.getExpression())
                .contains("'" + LeaseContract.LEASE_NAME_PREFIX + "'"));
    }

    @Test
    void aLabelerHoldsRenewsTakesOverAndReleasesForItsOwnPod() {
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF, "CREATE", LEASE, null, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF, "UPDATE", LEASE, SELF, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF, "UPDATE", LEASE, PEER, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF, "UPDATE", LEASE, "", SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF, "UPDATE", LEASE, SELF, ""));
    }

    @Test
    void aLabelerMayNotNameAnotherPodAsHolderNorReleaseAPeersLease() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF, "CREATE", LEASE, null, PEER),
                "may hold a Lease only for its own pod (" + SELF + "), or release one its pod holds; not set holder \""
                        + PEER + "\" on " + LEASE);
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF, "UPDATE", LEASE, SELF, PEER), "not set holder \"" + PEER + "\"");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF, "UPDATE", LEASE, PEER, ""), "(held by " + PEER + ")");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF, "CREATE", LEASE, null, ""), "not set holder \"\"");
    }

    @Test
    void aTokenWithoutItsPodNameMayNotWriteAnyHolder() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, null, "CREATE", LEASE, null, SELF), "its token names no pod");
        PolicyEvaluator.assertDenied(evaluate(LABELER, null, "UPDATE", LEASE, "", ""), "its token names no pod");
    }

    @Test
    void onlyActivemqHaLeasesOfItsOwnNamespace() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF, "UPDATE", "kube-scheduler", SELF, SELF),
                "may write only activemq-ha-<group> Leases, not kube-scheduler");
        PolicyEvaluator.assertDenied(evaluate("system:serviceaccount:elsewhere:" + RbacNames.LABELER_SERVICE_ACCOUNT, SELF, "CREATE",
                LEASE, null, SELF), "may write Leases of its own namespace only, not of " + NAMESPACE);
    }

    @Test
    void appliesToTheLabelerAccountOnly() {
        assertThat(evaluate("system:serviceaccount:kube-system:leader-election-controller", null, "UPDATE", LEASE, SELF,
                PEER).applies()).isFalse();
        assertThat(evaluate("alice", null, "CREATE", LEASE, null, PEER).applies()).isFalse();
    }

    /** The AdmissionRequest for a Lease write by {@code username} (a token bound to {@code tokenPod}). */
    private PolicyEvaluator.Decision evaluate(String username, String tokenPod, String operation, String name,
                                              String oldHolder, String newHolder) {
        ObjectNode request = json.createObjectNode();
        request.put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", "coordination.k8s.io").put("version", "v1").put("kind", "Lease");
        request.putObject("resource").put("group", "coordination.k8s.io").put("version", "v1").put("resource", "leases");
        request.put("name", name);
        request.put("namespace", NAMESPACE);
        request.put("operation", operation);
        ObjectNode user = request.putObject("userInfo");
        user.put("username", username);
        user.putArray("groups").add("system:serviceaccounts").add("system:authenticated");
        if (tokenPod != null) {
            user.putObject("extra").putArray("authentication.kubernetes.io/pod-name").add(tokenPod);
        }
        request.set("object", lease(name, newHolder));
        if (oldHolder != null) {
            request.set("oldObject", lease(name, oldHolder));
        }
        return evaluator.admit(request);
    }

    private ObjectNode lease(String name, String holder) {
        ObjectNode lease = json.createObjectNode().put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
        lease.putObject("metadata").put("name", name).put("namespace", NAMESPACE);
        ObjectNode spec = lease.putObject("spec").put("leaseDurationSeconds", 15);
        if (!holder.isEmpty()) {
            spec.put("holderIdentity", holder);
        }
        return lease;
    }
}
