package io.activemqha.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.certs.kube.CaBundlePatcher;
import io.activemqha.certs.kube.PatchResult;
import io.activemqha.certs.kube.WebhookKind;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code patch} against the fabric8 mock API server (CRUD mode). */
class CaBundlePatcherTest {
    private static final String CONFIG = "activemq-ha-webhook";


    private final MockApi api = new MockApi();
    private final CaBundlePatcher patcher = new CaBundlePatcher(api.client);
    private final List<X509Certificate> bundle = Pki.fresh(Instant.now()).caBundle();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void writesTheBundleIntoEveryWebhookThenNothingWhenEqual() throws Exception {
        api.client.resource(WebhookFixtures.mutating(CONFIG, "pods.activemq-ha.io", "pods-again.activemq-ha.io")).create();
        api.drainRequests();

        PatchResult first = patcher.patch(WebhookKind.MUTATING, CONFIG, bundle);

        assertThat(first).isEqualTo(new PatchResult(WebhookKind.MUTATING, CONFIG, 2, 2));
        assertThat(first.describe()).isEqualTo("mutatingwebhookconfiguration/" + CONFIG + ": caBundle updated in 2 of 2 webhook(s)");
        assertThat(api.drainWrites()).singleElement().asString()
                .startsWith("PUT /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/" + CONFIG);
        MutatingWebhookConfiguration stored = api.client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(CONFIG).get();
        assertThat(stored.getWebhooks()).allSatisfy(webhook -> assertThat(WebhookFixtures.caBundleOf(webhook.getClientConfig())).isEqualTo(bundle));
        assertThat(stored.getWebhooks().get(0).getClientConfig().getService().getPath()).isEqualTo("/mutate");

        PatchResult second = patcher.patch(WebhookKind.MUTATING, CONFIG, bundle);

        assertThat(second.changed()).isZero();
        assertThat(second.describe()).endsWith("caBundle already current in all 2 webhook(s); nothing written");
        assertThat(api.drainWrites()).isEmpty();
    }

    @Test
    void onlyTheWebhooksThatDifferCountAsChanged() {
        MutatingWebhookConfiguration configuration = WebhookFixtures.mutating(CONFIG, "a.activemq-ha.io", "b.activemq-ha.io");
        configuration.getWebhooks().get(0).getClientConfig().setCaBundle(
                Base64.getEncoder().encodeToString(Pem.encodeCertificates(bundle).getBytes(StandardCharsets.UTF_8)));
        configuration.getWebhooks().get(1).getClientConfig().setCaBundle("bm90IGEgY2VydGlmaWNhdGU="); // "not a certificate"
        api.client.resource(configuration).create();

        assertThat(patcher.patch(WebhookKind.MUTATING, CONFIG, bundle).changed()).isEqualTo(1);
    }

    @Test
    void validatingConfigurationToo() {
        ValidatingWebhookConfiguration validating = new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(CONFIG).endMetadata()
                .addNewWebhook().withName("v.activemq-ha.io").withAdmissionReviewVersions("v1").withSideEffects("None")
                .withNewClientConfig().withUrl("https://127.0.0.1:8443/validate").endClientConfig().endWebhook()
                .build();
        api.client.resource(validating).create();

        assertThat(patcher.patch(WebhookKind.VALIDATING, CONFIG, bundle).changed()).isEqualTo(1);
        assertThat(WebhookFixtures.caBundleOf(api.client.admissionRegistration().v1().validatingWebhookConfigurations().withName(CONFIG).get()
                .getWebhooks().get(0).getClientConfig())).isEqualTo(bundle);
    }

    @Test
    void configurationInjectedByCertManagerIsNotFought() throws Exception {
        MutatingWebhookConfiguration injected = WebhookFixtures.mutating(CONFIG, "pods.activemq-ha.io");
        injected.getMetadata().setAnnotations(java.util.Map.of("cert-manager.io/inject-ca-from", "activemq-ha/activemq-ha-webhook"));
        api.client.resource(injected).create();
        api.drainRequests();

        assertThatThrownBy(() -> patcher.patch(WebhookKind.MUTATING, CONFIG, bundle))
                .isInstanceOf(CertsException.class)
                .hasMessage("mutatingwebhookconfiguration/" + CONFIG + " has cert-manager.io/inject-ca-from: cert-manager's"
                        + " cainjector maintains its caBundle; it was left untouched");
        assertThat(api.drainWrites()).isEmpty();
    }

    @Test
    void missingOrEmptyConfigurationIsAnError() {
        api.client.resource(WebhookFixtures.mutating("empty")).create();

        assertThatThrownBy(() -> patcher.patch(WebhookKind.MUTATING, "absent", bundle))
                .isInstanceOf(CertsException.class).hasMessage("mutatingwebhookconfiguration/absent not found");
        assertThatThrownBy(() -> patcher.patch(WebhookKind.MUTATING, "empty", bundle))
                .isInstanceOf(CertsException.class).hasMessage("mutatingwebhookconfiguration/empty has no webhooks to patch");
    }
}
