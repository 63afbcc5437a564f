package io.activemqha.certs;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** Test fixtures: webhook configurations as deploy/ would install them, and their caBundles decoded. */
public final class WebhookFixtures {
    private WebhookFixtures() {
    }

    /** A configuration whose webhooks call the webhook Service, without caBundle. */
    public static MutatingWebhookConfiguration mutating(String name, String... webhooks) {
        MutatingWebhookConfigurationBuilder builder = new MutatingWebhookConfigurationBuilder().withNewMetadata().withName(name).endMetadata();
        for (String webhook : webhooks) {
            builder.addNewWebhook().withName(webhook).withAdmissionReviewVersions("v1").withSideEffects("None")
                    .withNewClientConfig().withNewService().withName(Pki.SERVICE).withNamespace(Pki.NAMESPACE)
                    .withPath("/mutate").endService().endClientConfig().endWebhook();
        }
        return builder.build();
    }

    /** The certificates of a webhook's caBundle. */
    public static List<X509Certificate> caBundleOf(WebhookClientConfig config) {
        return Pem.decodeCertificates(new String(Base64.getDecoder().decode(config.getCaBundle()), StandardCharsets.UTF_8));
    }
}
