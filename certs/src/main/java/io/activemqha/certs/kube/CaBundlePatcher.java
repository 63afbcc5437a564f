package io.activemqha.certs.kube;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.Pem;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes a CA bundle into the {@code clientConfig.caBundle} of every webhook of a webhook configuration, only
 * where it differs (compared as certificates, not as text), with one update carrying the resourceVersion read.
 *
 * @param client the API client
 */
public record CaBundlePatcher(KubernetesClient client) {
    /**
     * Patches the MutatingWebhookConfiguration or ValidatingWebhookConfiguration {@code name}.
     *
     * @throws CertsException when it does not exist, has no webhooks, or the API call fails
     */
    public PatchResult patch(WebhookKind kind, String name, List<X509Certificate> bundle) {
        String caBundle = Base64.getEncoder()
                .encodeToString(Pem.encodeCertificates(bundle).getBytes(StandardCharsets.UTF_8));
        String where = kind.resource() + "/" + name;
        return switch (kind) {
            case MUTATING -> {
                MutatingWebhookConfiguration configuration = KubernetesErrors.call("read " + where,
                        () -> client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).get());
                List<WebhookClientConfig> configs = clientConfigs(where, configuration == null ? null
                        : webhooks(configuration.getWebhooks()).map(MutatingWebhook::getClientConfig));
                int changed = apply(configs, bundle, caBundle);
                if (changed > 0) {
                    KubernetesErrors.call("update " + where, () -> client.admissionRegistration().v1()
                            .mutatingWebhookConfigurations().resource(configuration).update());
                }
                yield new PatchResult(kind, name, configs.size(), changed);
            }
            case VALIDATING -> {
                ValidatingWebhookConfiguration configuration = KubernetesErrors.call("read " + where,
                        () -> client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).get());
                List<WebhookClientConfig> configs = clientConfigs(where, configuration == null ? null
                        : webhooks(configuration.getWebhooks()).map(ValidatingWebhook::getClientConfig));
                int changed = apply(configs, bundle, caBundle);
                if (changed > 0) {
                    KubernetesErrors.call("update " + where, () -> client.admissionRegistration().v1()
                            .validatingWebhookConfigurations().resource(configuration).update());
                }
                yield new PatchResult(kind, name, configs.size(), changed);
            }
        };
    }

    private static <T> Stream<T> webhooks(List<T> webhooks) {
        return webhooks == null ? Stream.empty() : webhooks.stream();
    }

    private static List<WebhookClientConfig> clientConfigs(String where, Stream<WebhookClientConfig> configs) {
        if (configs == null) {
            throw new CertsException(where + " not found");
        }
        List<WebhookClientConfig> list = configs.toList();
        if (list.isEmpty()) {
            throw new CertsException(where + " has no webhooks to patch");
        }
        if (list.stream().anyMatch(Objects::isNull)) {
            throw new CertsException(where + " has a webhook without clientConfig");
        }
        return list;
    }

    /** Sets the bundle where it differs; returns how many were changed. */
    private static int apply(List<WebhookClientConfig> configs, List<X509Certificate> bundle, String caBundle) {
        int changed = 0;
        for (WebhookClientConfig config : configs) {
            if (!bundle.equals(decode(config.getCaBundle()))) {
                config.setCaBundle(caBundle);
                changed++;
            }
        }
        return changed;
    }

    private static List<X509Certificate> decode(String caBundle) {
        if (caBundle == null || caBundle.isBlank()) {
            return List.of();
        }
        try {
            return Pem.decodeCertificates(new String(Base64.getDecoder().decode(caBundle), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return List.of(); // unreadable: differs from any real bundle, so it is replaced
        }
    }
}
