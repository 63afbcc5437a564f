package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.certs.cli.CertsCommandLine;
import io.activemqha.certs.cli.CliEnvironment;
import io.activemqha.common.CertificateFiles;
import io.activemqha.common.RbacRules;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;

/**
 * The webhook's certificate comes from where the Deployment mounts it: the built-in Job/CronJob run the real certs
 * command line (create, patch, check) against the webhook's Service, Secret and MutatingWebhookConfiguration with RBAC
 * limited to exactly
 * those objects (io.activemqha.common.RbacRules.CERTS); the cert-manager variant replaces all of it consistently.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificatesManifestTest {
    private Rendered install;
    private Rendered certManager;
    private String servingSecret;
    private Service service;
    private MutatingWebhookConfiguration configuration;
    private Job job;

    @BeforeAll
    void render() {
        DeployTree tree = DeployTree.fromBuild();
        install = tree.render(tree.paths().install());
        certManager = tree.render(tree.paths().deploy().resolve("variants/cert-manager"));
        servingSecret = mountedSecret(install.only(Deployment.class));
        service = install.only(Service.class);
        configuration = install.only(MutatingWebhookConfiguration.class);
        job = install.only(Job.class);
    }

    @Test
    void theJobCreatesTheMountedSecretForTheServiceThenPatchesTheWebhookThenChecksBoth() {
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getInitContainers()).as("init containers run in order: create, then patch")
                .extracting(Container::getName).containsExactly("create", "patch");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("check");
        String namespace = service.getMetadata().getNamespace();

        CommandLine.Model.CommandSpec create = parse(pod.getInitContainers().get(0), "create");
        assertThat((String) create.findOption("--service").getValue()).isEqualTo(service.getMetadata().getName());
        assertThat((String) create.findOption("--namespace").getValue()).isEqualTo(namespace);
        assertThat((String) create.findOption("--secret").getValue()).isEqualTo(servingSecret);

        CommandLine.Model.CommandSpec patch = parse(pod.getInitContainers().get(1), "patch");
        assertThat((String) patch.findOption("--webhook-config").getValue()).isEqualTo(configuration.getMetadata().getName());
        assertThat((String) patch.findOption("--secret").getValue()).isEqualTo(servingSecret);
        assertThat((String) patch.findOption("--namespace").getValue()).isEqualTo(namespace);

        CommandLine.Model.CommandSpec check = parse(pod.getContainers().get(0), "check");
        assertThat((String) check.findOption("--secret").getValue()).isEqualTo(servingSecret);
        assertThat((String) check.findOption("--namespace").getValue()).isEqualTo(namespace);
        assertThat((String) check.findOption("--service").getValue()).isEqualTo(service.getMetadata().getName());
        assertThat((String) check.findOption("--webhook-config").getValue()).isEqualTo(configuration.getMetadata().getName());
        assertThat(job.getMetadata().getNamespace()).isEqualTo(namespace);
    }

    @Test
    void theCronJobRenewsWithTheJobsPod() {
        CronJob cronJob = install.only(CronJob.class);
        KubernetesSerialization serialization = new KubernetesSerialization();
        assertThat(serialization.asJson(cronJob.getSpec().getJobTemplate().getSpec().getTemplate()))
                .isEqualTo(serialization.asJson(job.getSpec().getTemplate()));
        assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    }

    @Test
    void itsRbacCoversExactlyItsSecretsAndTheOneWebhookConfiguration() {
        String account = job.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(install.one(ServiceAccount.class, account).getMetadata().getNamespace())
                .isEqualTo(job.getMetadata().getNamespace());

        RoleBinding roleBinding = install.all(RoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account))).findFirst().orElseThrow();
        Role role = install.one(Role.class, roleBinding.getRoleRef().getName());
        assertThat(role.getMetadata().getNamespace()).isEqualTo(job.getMetadata().getNamespace());
        assertThat(RbacManifestTest.verbsByResource(role.getRules()))
                .isEqualTo(RbacManifestTest.sorted(Map.of("secrets", RbacRules.CERTS.get("secrets"))));
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getApiGroups()).containsExactly("");
            if (rule.getVerbs().equals(List.of("create"))) {
                assertThat(rule.getResourceNames()).as("create cannot be limited by name").isNullOrEmpty();
            } else {
                assertThat(rule.getVerbs()).doesNotContain("create", "list", "watch", "delete");
                assertThat(rule.getResourceNames()).containsExactlyInAnyOrder(servingSecret,
                        servingSecret + CertificateFiles.CA_SECRET_SUFFIX);
            }
        }

        ClusterRoleBinding clusterBinding = install.all(ClusterRoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account))).findFirst().orElseThrow();
        ClusterRole clusterRole = install.one(ClusterRole.class, clusterBinding.getRoleRef().getName());
        assertThat(clusterRole.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("admissionregistration.k8s.io");
            assertThat(rule.getResources()).containsExactly("mutatingwebhookconfigurations");
            assertThat(Set.copyOf(rule.getVerbs())).isEqualTo(RbacRules.CERTS.get("mutatingwebhookconfigurations"));
            assertThat(rule.getResourceNames()).containsExactly(configuration.getMetadata().getName());
        });
    }

    @Test
    void certManagerReplacesTheJobAndIssuesTheMountedSecretForTheServiceNames() {
        assertThat(certManager.all(Job.class)).isEmpty();
        assertThat(certManager.all(CronJob.class)).isEmpty();
        String account = job.getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(certManager.find(ServiceAccount.class, account)).isEmpty();
        assertThat(certManager.all(Role.class)).isEmpty();
        assertThat(certManager.all(ClusterRole.class)).extracting(r -> r.getMetadata().getName())
                .doesNotContain(install.all(ClusterRoleBinding.class).stream()
                        .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account)))
                        .map(b -> b.getRoleRef().getName()).toArray(String[]::new));

        String mounted = mountedSecret(certManager.only(Deployment.class));
        CertManager.Certificate serving = certManager.certificates().stream()
                .filter(c -> mounted.equals(c.spec().secretName())).findFirst()
                .orElseThrow(() -> new AssertionError("no Certificate issues the mounted Secret " + mounted));
        String name = service.getMetadata().getName();
        String namespace = service.getMetadata().getNamespace();
        assertThat(serving.metadata().namespace()).isEqualTo(namespace);
        assertThat(serving.spec().dnsNames()).contains(name + "." + namespace + ".svc");
        assertThat(serving.spec().usages()).contains("server auth");
        assertThat(serving.spec().isCA()).isNotEqualTo(Boolean.TRUE);
        assertThat(certManager.only(MutatingWebhookConfiguration.class).getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", namespace + "/" + serving.metadata().name());

        CertManager.Issuer caIssuer = issuer(serving.spec().issuerRef());
        assertThat(caIssuer.spec().ca()).as("the serving certificate is signed by a CA issuer").isNotNull();
        CertManager.Certificate ca = certManager.certificates().stream()
                .filter(c -> caIssuer.spec().ca().secretName().equals(c.spec().secretName())).findFirst().orElseThrow();
        assertThat(ca.spec().isCA()).isTrue();
        assertThat(issuer(ca.spec().issuerRef()).spec().selfSigned()).isNotNull();
    }

    private CertManager.Issuer issuer(CertManager.IssuerRef reference) {
        assertThat(reference.kind()).isEqualTo("Issuer");
        return certManager.issuers().stream().filter(i -> i.metadata().name().equals(reference.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no Issuer " + reference.name()));
    }

    private static String mountedSecret(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null).map(v -> v.getSecret().getSecretName()).findFirst()
                .orElseThrow(() -> new AssertionError("the webhook mounts no Secret"));
    }

    /** The container's args as the real certs command line parses them; unknown or missing options fail. */
    private static CommandLine.Model.CommandSpec parse(Container container, String command) {
        List<String> args = Containers.expandedArgs(container);
        assertThat(args).as("args of %s", container.getName()).first().isEqualTo(command);
        CommandLine commandLine = CertsCommandLine.create(new CliEnvironment(Clock.systemUTC(), () -> {
            throw new AssertionError("parsing must not touch the cluster");
        }));
        try {
            return commandLine.parseArgs(args.toArray(String[]::new)).subcommand().commandSpec();
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("the certs CLI rejects " + args + ": " + e.getMessage(), e);
        }
    }
}
