package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.InstallNames;
import io.activemqha.common.LeaseContract;
import io.activemqha.common.RbacNames;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Lease policy of deploy/install, evaluated on the CEL of the rendered manifest for the CREATE and UPDATE requests
 * a labeler's Lease keeper makes: hold, renew, take over and release its group's Lease for its own pod, nothing else.
 * The holder identity is {@link LeaseContract#holderIdentity} of the pod the token is bound to (its pod-name and
 * pod-uid claims).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeasePolicyTest {
    private static final String NAMESPACE = "activemq";
    private static final String LEASE = LeaseContract.leaseName("activemq");
    private static final String SELF_POD = "activemq-0";
    private static final String SELF_UID = "0f1e2d3c-aaaa-4bbb-8ccc-000000000000";
    private static final String SELF = LeaseContract.holderIdentity(SELF_POD, SELF_UID);
    private static final String PEER = LeaseContract.holderIdentity("activemq-1", "0f1e2d3c-aaaa-4bbb-8ccc-111111111111");
    /** The same pod name, another instance (a StatefulSet's pod recreated under its name). */
    private static final String SELF_EARLIER_INSTANCE =
            LeaseContract.holderIdentity(SELF_POD, "0f1e2d3c-aaaa-4bbb-8ccc-222222222222");
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
        assertThat(policy.getSpec().getVariables()).as("the holder identity is LeaseContract.holderIdentity")
                .anySatisfy(v -> assertThat(v.getExpression()).contains("+ '" + LeaseContract.HOLDER_SEPARATOR + "' +"));
    }

    @Test
    void aLabelerHoldsRenewsTakesOverAndReleasesForItsOwnPod() {
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "CREATE", LEASE, null, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, PEER, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, "", SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF, ""));
    }

    @Test
    void aTakeoverFromAHolderOfTheOldNameOnlyIdentityOrAnEarlierInstanceOfItsPodIsAllowed() {
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF_POD, SELF));
        PolicyEvaluator.assertAllowed(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF_EARLIER_INSTANCE, SELF));
    }

    @Test
    void aLabelerMayNotNameAnotherPodAsHolderNorReleaseAPeersLease() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "CREATE", LEASE, null, PEER),
                "may hold a Lease only for its own pod, as holder <pod name>_<pod UID> (" + SELF
                        + "), or release one its pod holds; not set holder \"" + PEER + "\" on " + LEASE);
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF, PEER),
                "not set holder \"" + PEER + "\"");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, PEER, ""), "(held by " + PEER + ")");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "CREATE", LEASE, null, ""), "not set holder \"\"");
    }

    @Test
    void theHolderIsTheTokensPodNameAndUidNotTheNameAloneNorAnotherInstance() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "CREATE", LEASE, null, SELF_POD),
                "(" + SELF + "), or release one its pod holds; not set holder \"" + SELF_POD + "\"");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, PEER, SELF_EARLIER_INSTANCE),
                "not set holder \"" + SELF_EARLIER_INSTANCE + "\"");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF_EARLIER_INSTANCE, ""),
                "(held by " + SELF_EARLIER_INSTANCE + ")");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", LEASE, SELF_POD, ""),
                "(held by " + SELF_POD + ")");
    }

    @Test
    void aTokenWithoutItsPodNameOrUidMayNotWriteAnyHolder() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, null, null, "CREATE", LEASE, null, SELF), "its token names no pod");
        PolicyEvaluator.assertDenied(evaluate(LABELER, null, null, "UPDATE", LEASE, "", ""), "its token names no pod");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, null, "CREATE", LEASE, null, SELF),
                "its token names no pod UID");
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, null, "CREATE", LEASE, null, SELF_POD + "_"),
                "its token names no pod UID");
    }

    @Test
    void onlyActivemqHaLeasesOfItsOwnNamespace() {
        PolicyEvaluator.assertDenied(evaluate(LABELER, SELF_POD, SELF_UID, "UPDATE", "kube-scheduler", SELF, SELF),
                "may write only activemq-ha-<group> Leases, not kube-scheduler");
        PolicyEvaluator.assertDenied(evaluate("system:serviceaccount:elsewhere:" + RbacNames.LABELER_SERVICE_ACCOUNT,
                SELF_POD, SELF_UID, "CREATE", LEASE, null, SELF), "may write Leases of its own namespace only, not of " + NAMESPACE);
    }

    @Test
    void appliesToTheLabelerAccountOnly() {
        assertThat(evaluate("system:serviceaccount:kube-system:leader-election-controller", null, null, "UPDATE", LEASE,
                SELF, PEER).applies()).isFalse();
        assertThat(evaluate("alice", null, null, "CREATE", LEASE, null, PEER).applies()).isFalse();
    }

    /**
     * The AdmissionRequest for a Lease write by {@code username} (a token bound to pod {@code tokenPod} of UID
     * {@code tokenPodUid}; either null when the token names none).
     */
    private PolicyEvaluator.Decision evaluate(String username, String tokenPod, String tokenPodUid, String operation,
                                              String name, String oldHolder, String newHolder) {
        ObjectNode request = AdmissionRequests.request(AdmissionRequests.Target.LEASE, operation, name, NAMESPACE,
                new AdmissionRequests.Requester(username, tokenPod, tokenPodUid));
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
