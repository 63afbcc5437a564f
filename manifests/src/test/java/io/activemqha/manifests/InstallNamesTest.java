package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.CertificateFiles;
import io.activemqha.common.InstallNames;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.junit.jupiter.api.Test;

/** The names tools and the end-to-end tests address (io.activemqha.common.InstallNames) follow deploy/install. */
class InstallNamesTest {
    @Test
    void followTheRenderedInstall() {
        DeployTree tree = DeployTree.fromBuild();
        Rendered install = tree.render(tree.paths().install());

        assertThat(install.only(Namespace.class).getMetadata().getName()).isEqualTo(InstallNames.NAMESPACE);
        Deployment webhook = install.only(Deployment.class);
        assertThat(webhook.getMetadata().getName()).isEqualTo(InstallNames.WEBHOOK);
        assertThat(webhook.getMetadata().getNamespace()).isEqualTo(InstallNames.NAMESPACE);
        assertThat(webhook.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(InstallNames.WEBHOOK_SERVICE_ACCOUNT);
        assertThat(webhook.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null)
                .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(InstallNames.WEBHOOK_TLS_SECRET));
        assertThat(install.only(Service.class).getMetadata().getName()).isEqualTo(InstallNames.WEBHOOK);

        MutatingWebhookConfiguration configuration = install.only(MutatingWebhookConfiguration.class);
        assertThat(configuration.getMetadata().getName()).isEqualTo(InstallNames.WEBHOOK);
        assertThat(configuration.getWebhooks()).singleElement().satisfies(entry -> {
            assertThat(entry.getName()).isEqualTo(InstallNames.WEBHOOK_ENTRY);
            assertThat(entry.getClientConfig().getService().getPath()).isEqualTo(InstallNames.WEBHOOK_PATH);
        });

        assertThat(install.only(Job.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(InstallNames.CERTS_SERVICE_ACCOUNT);
        assertThat(install.only(Role.class).getRules()).flatExtracting(rule -> rule.getResourceNames())
                .contains(InstallNames.WEBHOOK_TLS_SECRET, InstallNames.WEBHOOK_TLS_SECRET + CertificateFiles.CA_SECRET_SUFFIX);

        assertThat(install.all(ValidatingAdmissionPolicy.class)).extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder(InstallNames.LABELER_POLICY, InstallNames.LABELER_LEASE_POLICY,
                        InstallNames.LABELER_POD_DELETE_POLICY);
        assertThat(install.all(ValidatingAdmissionPolicyBinding.class))
                .extracting(b -> b.getMetadata().getName() + "->" + b.getSpec().getPolicyName())
                .containsExactlyInAnyOrder(InstallNames.LABELER_POLICY + "->" + InstallNames.LABELER_POLICY,
                        InstallNames.LABELER_LEASE_POLICY + "->" + InstallNames.LABELER_LEASE_POLICY,
                        InstallNames.LABELER_POD_DELETE_POLICY + "->" + InstallNames.LABELER_POD_DELETE_POLICY);
    }
}
