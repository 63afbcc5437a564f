package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.InstallNames;
import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pod-delete policy of deploy/install, evaluated on the CEL of the rendered manifest for DELETE requests as the API
 * server builds them: oldObject is the stored pod (a broker pod that went through the real injection), object is
 * null, and request.options holds the DeleteOptions after the API server defaulted them for the pod. A labeler fences
 * the previous Lease holder of its group: grace period at least 1 s, UID precondition, never its own pod.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodDeletePolicyTest {
    private static final String SELF = "activemq-" + BrokerPods.TEMPLATE_HASH + "-aaaaa";
    private static final String PEER = "activemq-" + BrokerPods.TEMPLATE_HASH + "-bbbbb";

    private ValidatingAdmissionPolicy policy;
    private ValidatingAdmissionPolicyBinding binding;
    private PolicyEvaluator evaluator;
    private BrokerPods pods;
    private Pod peer;
    private String namespace;
    private String labeler;

    @BeforeAll
    void setUp() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered install = tree.render(tree.paths().install());
        policy = install.one(ValidatingAdmissionPolicy.class, InstallNames.LABELER_POD_DELETE_POLICY);
        binding = install.one(ValidatingAdmissionPolicyBinding.class, InstallNames.LABELER_POD_DELETE_POLICY);
        evaluator = new PolicyEvaluator(policy, new CelEvaluator());
        Deployment brokers = tree.render(tree.paths().example()).only(Deployment.class);
        pods = new BrokerPods(brokers, new AdmissionReviewer(tree.installedWebhookFlags().injector()));
        peer = pods.admitted(pods.created(), PEER);
        namespace = peer.getMetadata().getNamespace();
        labeler = "system:serviceaccount:" + namespace + ":" + RbacNames.LABELER_SERVICE_ACCOUNT;
    }

    @Test
    void isBoundToDenyAndCoversPodDeletesOnly() {
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
        assertThat(policy.getSpec().getMatchConstraints().getResourceRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getOperations()).containsExactly("DELETE");
        });
        String cel = String.join("\n", policy.getSpec().getValidations().stream().map(v -> v.getExpression()).toList())
                + String.join("\n", policy.getSpec().getVariables().stream().map(v -> v.getExpression()).toList())
                + policy.getSpec().getMatchConditions().get(0).getExpression();
        assertThat(cel).contains("'" + Labels.GROUP + "'", ":" + RbacNames.LABELER_SERVICE_ACCOUNT);
    }

    @Test
    void aLabelerFencesAPeerWithAGracePeriodAndItsUid() {
        PolicyEvaluator.assertAllowed(delete(SELF, peer, 1L, uid(peer)));
        // No grace period in the request: the API server passes the pod's terminationGracePeriodSeconds.
        PolicyEvaluator.assertAllowed(delete(SELF, peer, 30L, uid(peer)));
    }

    @Test
    void neverAForceDelete() {
        PolicyEvaluator.assertDenied(delete(SELF, peer, 0L, uid(peer)),
                "may not force-delete pod " + PEER + ": gracePeriodSeconds must be at least 1, not 0");
        PolicyEvaluator.assertDenied(delete(SELF, peer, null, uid(peer)), "gracePeriodSeconds must be at least 1, not absent");
    }

    @Test
    void onlyThePodInstanceTheUidPreconditionNames() {
        PolicyEvaluator.assertDenied(delete(SELF, peer, 1L, null),
                "may delete pod " + PEER + " only with preconditions.uid set to its UID " + uid(peer)
                        + " (the one the Lease holder identity names); the request has none");
        String other = UUID.randomUUID().toString();
        PolicyEvaluator.assertDenied(delete(SELF, peer, 1L, other), "; not " + other);
    }

    @Test
    void neverItsOwnPodAndOnlyWithATokenBoundToAPod() {
        Pod self = pods.admitted(pods.created(), SELF);
        PolicyEvaluator.assertDenied(delete(SELF, self, 1L, uid(self)), "may not delete its own pod " + SELF);
        PolicyEvaluator.assertDenied(delete(null, peer, 1L, uid(peer)), "its token names no pod");
    }

    @Test
    void onlyPodsOfAnHaGroup() {
        Pod ungrouped = pods.mergePatched(peer, "{\"metadata\":{\"labels\":{\"" + Labels.GROUP + "\":null}}}");
        PolicyEvaluator.assertDenied(delete(SELF, ungrouped, 1L, uid(ungrouped)),
                "pod " + PEER + " has no " + Labels.GROUP + " label; the leader-labeler deletes only pods of an HA group");
    }

    @Test
    void onlyPodsOfItsOwnNamespace() {
        PolicyEvaluator.Decision foreign = evaluate("system:serviceaccount:elsewhere:" + RbacNames.LABELER_SERVICE_ACCOUNT,
                "broker-0", peer, 1L, uid(peer));
        PolicyEvaluator.assertDenied(foreign, "may delete pods of its own namespace only, not of " + namespace);
    }

    @Test
    void appliesToTheLabelerAccountOfAnyNamespaceOnly() {
        assertThat(evaluate("system:serviceaccount:other:" + RbacNames.LABELER_SERVICE_ACCOUNT, SELF, peer, 0L, null)
                .applies()).isTrue();
        for (String user : List.of("alice", "system:serviceaccount:" + namespace + ":default",
                "system:serviceaccount:kube-system:replicaset-controller",
                "system:serviceaccount:" + namespace + ":" + RbacNames.LABELER_SERVICE_ACCOUNT + "-copy")) {
            assertThat(evaluate(user, null, peer, 0L, null).applies()).as(user).isFalse();
        }
    }

    private static String uid(Pod pod) {
        return pod.getMetadata().getUid();
    }

    private PolicyEvaluator.Decision delete(String tokenPod, Pod pod, Long gracePeriodSeconds, String preconditionUid) {
        return evaluate(labeler, tokenPod, pod, gracePeriodSeconds, preconditionUid);
    }

    /**
     * The AdmissionRequest the API server evaluates for a DELETE of {@code pod} by {@code username} (a token bound to
     * {@code tokenPod}), with the DeleteOptions as admission sees them.
     */
    private PolicyEvaluator.Decision evaluate(String username, String tokenPod, Pod pod, Long gracePeriodSeconds,
                                              String preconditionUid) {
        ObjectNode request = AdmissionRequests.request(AdmissionRequests.Target.POD, "DELETE", pod.getMetadata().getName(),
                namespace, new AdmissionRequests.Requester(username, tokenPod,
                        tokenPod == null ? null : UUID.randomUUID().toString()));
        request.set("oldObject", pods.toJsonNode(pod));
        ObjectNode options = request.putObject("options").put("apiVersion", "meta.k8s.io/v1").put("kind", "DeleteOptions");
        if (gracePeriodSeconds != null) {
            options.put("gracePeriodSeconds", gracePeriodSeconds);
        }
        if (preconditionUid != null) {
            options.putObject("preconditions").put("uid", preconditionUid);
        }
        return evaluator.admit(request);
    }
}
