package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.RbacNames;
import io.activemqha.common.RbacRules;
import io.activemqha.webhook.rbac.LabelerRbac;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The ClusterRoles of deploy/install grant exactly the calls the code makes (io.activemqha.common.RbacRules), no
 * more: the labeler's, the webhook's (plus "bind" on the labeler's role alone), and they are bound to the accounts
 * that run the code.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RbacManifestTest {
    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    private Rendered install;
    private Deployment webhook;

    @BeforeAll
    void render() {
        DeployTree tree = DeployTree.fromBuild();
        install = tree.render(tree.paths().install());
        webhook = install.only(Deployment.class);
    }

    @Test
    void theLabelerRoleGrantsExactlyWhatTheLabelerUses() {
        ClusterRole role = install.one(ClusterRole.class, RbacNames.LABELER_CLUSTER_ROLE);
        assertThat(role.getRules()).allSatisfy(rule -> {
            assertThat(rule.getResources()).allSatisfy(resource -> assertThat(rule.getApiGroups())
                    .as("the API group of %s", resource).containsExactly(RbacRules.LABELER_API_GROUPS.get(resource)));
            assertThat(rule.getResourceNames()).isNullOrEmpty();
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        });
        assertThat(verbsByResource(role.getRules())).isEqualTo(sorted(RbacRules.LABELER));
    }

    @Test
    void theWebhookRoleGrantsProvisioningAndBindOnTheLabelerRoleOnly() {
        ClusterRole role = install.one(ClusterRole.class, webhookRoleName());
        List<PolicyRule> bind = role.getRules().stream()
                .filter(rule -> rule.getVerbs().contains(RbacRules.WEBHOOK_BIND_VERB)).toList();
        assertThat(bind).singleElement().satisfies(rule -> {
            assertThat(rule.getVerbs()).containsExactly(RbacRules.WEBHOOK_BIND_VERB);
            assertThat(rule.getApiGroups()).containsExactly(RBAC_GROUP);
            assertThat(rule.getResources()).containsExactly("clusterroles");
            assertThat(rule.getResourceNames()).as("bind on every role would let it grant anything")
                    .containsExactly(RbacNames.LABELER_CLUSTER_ROLE);
        });
        List<PolicyRule> provisioning = role.getRules().stream().filter(rule -> !bind.contains(rule)).toList();
        assertThat(provisioning).allSatisfy(rule -> {
            assertThat(rule.getResourceNames()).isNullOrEmpty();
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            for (String resource : rule.getResources()) {
                assertThat(rule.getApiGroups()).as(resource)
                        .containsExactly(resource.equals("rolebindings") ? RBAC_GROUP : "");
            }
        });
        assertThat(verbsByResource(provisioning)).isEqualTo(sorted(RbacRules.WEBHOOK));
    }

    @Test
    void theRoleBindingTheWebhookProvisionsRefersToTheInstalledLabelerRole() {
        RoleBinding provisioned = LabelerRbac.roleBinding("brokers", RbacNames.LABELER_SERVICE_ACCOUNT);
        assertThat(provisioned.getRoleRef().getApiGroup()).isEqualTo(RBAC_GROUP);
        assertThat(provisioned.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(install.find(ClusterRole.class, provisioned.getRoleRef().getName()))
                .as("the ClusterRole the webhook binds in every namespace exists").isPresent();
    }

    @Test
    void eachClusterRoleIsBoundToTheAccountOfTheCodeThatNeedsIt() {
        String webhookAccount = webhook.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(install.all(io.fabric8.kubernetes.api.model.ServiceAccount.class))
                .extracting(a -> a.getMetadata().getName()).contains(webhookAccount);
        for (ClusterRoleBinding binding : install.all(ClusterRoleBinding.class)) {
            assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
            assertThat(install.find(ClusterRole.class, binding.getRoleRef().getName())).isPresent();
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> assertInstalledAccount(subject));
        }
        assertThat(install.all(ClusterRoleBinding.class)).extracting(b -> b.getRoleRef().getName())
                .as("the labeler role is bound per namespace (RoleBinding), never cluster-wide")
                .doesNotContain(RbacNames.LABELER_CLUSTER_ROLE);
    }

    private String webhookRoleName() {
        String account = webhook.getSpec().getTemplate().getSpec().getServiceAccountName();
        return install.all(ClusterRoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account)))
                .map(b -> b.getRoleRef().getName()).findFirst()
                .orElseThrow(() -> new AssertionError("no ClusterRoleBinding for the webhook's account " + account));
    }

    private void assertInstalledAccount(Subject subject) {
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(install.all(io.fabric8.kubernetes.api.model.ServiceAccount.class))
                .anySatisfy(account -> {
                    assertThat(account.getMetadata().getName()).isEqualTo(subject.getName());
                    assertThat(account.getMetadata().getNamespace()).isEqualTo(subject.getNamespace());
                });
    }

    /** resource -> verbs, merged over rules, so that the comparison ignores how rules are split. */
    static Map<String, Set<String>> verbsByResource(List<PolicyRule> rules) {
        Map<String, Set<String>> verbs = new TreeMap<>();
        for (PolicyRule rule : rules) {
            for (String resource : rule.getResources()) {
                verbs.computeIfAbsent(resource, r -> new TreeSet<>()).addAll(rule.getVerbs());
            }
        }
        return verbs;
    }

    static Map<String, Set<String>> sorted(Map<String, Set<String>> rules) {
        Map<String, Set<String>> copy = new TreeMap<>();
        rules.forEach((resource, verbs) -> copy.put(resource, new TreeSet<>(verbs)));
        return copy;
    }
}
