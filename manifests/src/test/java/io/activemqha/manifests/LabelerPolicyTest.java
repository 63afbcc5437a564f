package io.activemqha.manifests;

import io.activemqha.common.InstallNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Labels;
import io.activemqha.common.RbacNames;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.NamedRuleWithOperations;
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
 * The ValidatingAdmissionPolicy of deploy/install, evaluated on the CEL of the rendered manifest for UPDATE requests
 * as the API server builds them from a labeler's merge patch, on broker pods that went through the real injection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LabelerPolicyTest {
    private static final String SELF = "activemq-" + BrokerPods.TEMPLATE_HASH + "-aaaaa";
    private static final String PEER = "activemq-" + BrokerPods.TEMPLATE_HASH + "-bbbbb";

    private ValidatingAdmissionPolicy policy;
    private ValidatingAdmissionPolicyBinding binding;
    private PolicyEvaluator evaluator;
    private BrokerPods pods;
    private Pod self;
    private Pod peer;
    private String namespace;

    @BeforeAll
    void setUp() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered install = tree.render(tree.paths().install());
        policy = install.one(ValidatingAdmissionPolicy.class, InstallNames.LABELER_POLICY);
        binding = install.one(ValidatingAdmissionPolicyBinding.class, InstallNames.LABELER_POLICY);
        evaluator = new PolicyEvaluator(policy, new CelEvaluator());
        Deployment brokers = tree.render(tree.paths().example()).only(Deployment.class);
        pods = new BrokerPods(brokers, new AdmissionReviewer(tree.installedWebhookFlags().injector()));
        self = pods.admitted(pods.created(), SELF);
        peer = pods.admitted(pods.created(), PEER);
        namespace = self.getMetadata().getNamespace();
    }

    @Test
    void isBoundToDenyAndCoversPodUpdatesOnly() {
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(policy.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
        List<NamedRuleWithOperations> rules = policy.getSpec().getMatchConstraints().getResourceRules();
        assertThat(rules).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("");
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getOperations()).containsExactly("UPDATE");
        });
    }

    @Test
    void expressionsNameTheContractKeys() {
        String cel = String.join("\n", policy.getSpec().getValidations().stream().map(v -> v.getExpression()).toList())
                + String.join("\n", policy.getSpec().getVariables().stream().map(v -> v.getExpression()).toList())
                + policy.getSpec().getMatchConditions().get(0).getExpression();
        assertThat(cel).contains("'" + Labels.LEADER + "'", "'" + Labels.GROUP + "'",
                ":" + RbacNames.LABELER_SERVICE_ACCOUNT, "'" + Labels.LEADER_YES + "'", "'" + Labels.LEADER_NO + "'");
    }

    @Test
    void appliesToTheLabelerAccountOfAnyNamespaceOnly() {
        Pod promoted = relabel(self, Labels.LEADER_YES);
        assertThat(evaluate("system:serviceaccount:" + namespace + ":" + RbacNames.LABELER_SERVICE_ACCOUNT, SELF, self, promoted)
                .applies()).isTrue();
        assertThat(evaluate("system:serviceaccount:other:" + RbacNames.LABELER_SERVICE_ACCOUNT, SELF, self, promoted)
                .applies()).isTrue();
        for (String user : List.of("alice", "system:serviceaccount:" + namespace + ":default",
                "system:serviceaccount:" + namespace + ":" + RbacNames.LABELER_SERVICE_ACCOUNT + "-copy",
                "system:serviceaccount:kube-system:replicaset-controller")) {
            assertThat(evaluate(user, null, self, promoted).applies()).as(user).isFalse();
        }
    }

    @Test
    void aLabelerPromotesAndDemotesItsOwnPod() {
        Pod promoted = relabel(self, Labels.LEADER_YES);
        PolicyEvaluator.assertAllowed(labeler(SELF, self, promoted));
        PolicyEvaluator.assertAllowed(labeler(SELF, promoted, relabel(promoted, Labels.LEADER_NO)));
    }

    @Test
    void aLabelerMayNotPromoteAPeer() {
        PolicyEvaluator.assertDenied(labeler(SELF, peer, relabel(peer, Labels.LEADER_YES)),
                "may set leader=yes only on its own pod (" + SELF + "), not on " + PEER);
    }

    @Test
    void aLabelerFencesAStaleLeaderOfItsGroup() {
        Pod staleLeader = relabel(peer, Labels.LEADER_YES);
        PolicyEvaluator.assertAllowed(labeler(SELF, staleLeader, relabel(staleLeader, Labels.LEADER_NO)));
    }

    @Test
    void aTokenWithoutItsPodNameCanDemoteButNotPromote() {
        PolicyEvaluator.assertDenied(labeler(null, self, relabel(self, Labels.LEADER_YES)), "its token names no pod");
        Pod staleLeader = relabel(peer, Labels.LEADER_YES);
        PolicyEvaluator.assertAllowed(labeler(null, staleLeader, relabel(staleLeader, Labels.LEADER_NO)));
    }

    @Test
    void onlyYesOrNo() {
        PolicyEvaluator.assertDenied(labeler(SELF, self, relabel(self, "maybe")), "may only be set to \"yes\" or \"no\", not \"maybe\"");
        PolicyEvaluator.assertDenied(labeler(SELF, self, pods.mergePatched(self, "{\"metadata\":{\"labels\":{\"" + Labels.LEADER + "\":null}}}")),
                "not removed");
    }

    @Test
    void noOtherLabelAnnotationOrSpecChange() {
        PolicyEvaluator.assertDenied(labeler(SELF, self, pods.mergePatched(self, "{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"mail\"}}}")),
                "no other label");
        PolicyEvaluator.assertDenied(labeler(SELF, self, pods.mergePatched(self, "{\"metadata\":{\"labels\":{\"team\":\"x\","
                + "\"" + Labels.LEADER + "\":\"" + Labels.LEADER_YES + "\"}}}")), "no other label");
        PolicyEvaluator.assertDenied(labeler(SELF, self, pods.mergePatched(self, "{\"metadata\":{\"labels\":{\"" + Labels.GROUP + "\":\"other\"}}}")),
                "no other label");
        PolicyEvaluator.assertDenied(labeler(SELF, self, pods.mergePatched(self, "{\"metadata\":{\"annotations\":{\"x\":\"y\"}}}")),
                "not its annotations");
        Pod otherImage = pods.mergePatched(self, "{}");
        otherImage.getSpec().getContainers().get(0).setImage("evil/broker:1");
        PolicyEvaluator.assertDenied(labeler(SELF, self, otherImage), "not its spec");
    }

    @Test
    void onlyPodsOfAnHaGroupInTheLabelersOwnNamespace() {
        Pod ungrouped = pods.mergePatched(relabel(peer, Labels.LEADER_YES),
                "{\"metadata\":{\"labels\":{\"" + Labels.GROUP + "\":null}}}");
        PolicyEvaluator.assertDenied(labeler(SELF, ungrouped, relabel(ungrouped, Labels.LEADER_NO)), "has no " + Labels.GROUP + " label");

        Pod staleLeader = relabel(peer, Labels.LEADER_YES);
        PolicyEvaluator.Decision foreign = evaluate("system:serviceaccount:elsewhere:" + RbacNames.LABELER_SERVICE_ACCOUNT,
                "broker-0", staleLeader, relabel(staleLeader, Labels.LEADER_NO));
        PolicyEvaluator.assertDenied(foreign, "may relabel pods of its own namespace only, not of " + namespace);
    }

    private Pod relabel(Pod pod, String leader) {
        return pods.mergePatched(pod, "{\"metadata\":{\"labels\":{\"" + Labels.LEADER + "\":\"" + leader + "\"}}}");
    }

    private PolicyEvaluator.Decision labeler(String tokenPod, Pod oldPod, Pod newPod) {
        return evaluate("system:serviceaccount:" + namespace + ":" + RbacNames.LABELER_SERVICE_ACCOUNT, tokenPod, oldPod, newPod);
    }

    /** The AdmissionRequest the API server evaluates for a patch by {@code username} (from a token bound to {@code tokenPod}). */
    private PolicyEvaluator.Decision evaluate(String username, String tokenPod, Pod oldPod, Pod newPod) {
        ObjectNode request = AdmissionRequests.request(AdmissionRequests.Target.POD, "UPDATE", newPod.getMetadata().getName(),
                namespace, new AdmissionRequests.Requester(username, tokenPod,
                        tokenPod == null ? null : UUID.randomUUID().toString()));
        request.set("object", pods.toJsonNode(newPod));
        request.set("oldObject", pods.toJsonNode(oldPod));
        request.putObject("options").put("apiVersion", "meta.k8s.io/v1").put("kind", "PatchOptions");
        return evaluator.admit(request);
    }
}
