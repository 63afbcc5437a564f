package io.activemqha.certs.kube;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.Pem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Writes a CA bundle into the {@code clientConfig.caBundle} of every webhook of a webhook configuration, only
 * where it differs (compared as certificates, not as text), with one update carrying the resourceVersion read;
 * and reads those caBundles back for {@code check}.
 *
 * @param client the API client
 */
public record CaBundlePatcher(KubernetesClient client) {
    /** Annotations by which cert-manager's cainjector owns a configuration's caBundle: this tool must not fight it. */
    public static final List<String> CERT_MANAGER_INJECTION = List.of("cert-manager.io/inject-ca-from",
            "cert-manager.io/inject-ca-from-secret", "cert-manager.io/inject-apiserver-ca");

    /**
     * Patches the MutatingWebhookConfiguration or ValidatingWebhookConfiguration {@code name}.
     *
     * @throws CertsException when it does not exist, has no webhooks, or the API call fails
     */
    public PatchResult patch(WebhookKind kind, String name, List<X509Certificate> bundle) {
        return patch(access(kind), kind, name, bundle);
    }

    /**
     * The caBundle of every webhook of the configuration {@code name}, by webhook name (an empty list when a
     * webhook has none or an unreadable one).
     *
     * @throws CertsException when it does not exist, has no webhooks, or the API call fails
     */
    public Map<String, List<X509Certificate>> read(WebhookKind kind, String name) {
        return read(access(kind), kind, name);
    }

    /** How to reach the webhooks of one configuration kind: the two kinds share no Java type for them. */
    private record Access<C extends HasMetadata, W>(Function<String, C> get, Function<C, List<W>> webhooks, Function<W, String> name,
                                Function<W, WebhookClientConfig> clientConfig, Consumer<C> update) {
    }

    private Access<?, ?> access(WebhookKind kind) {
        var api = client.admissionRegistration().v1();
        return switch (kind) {
            case MUTATING -> new Access<MutatingWebhookConfiguration, MutatingWebhook>(
                    name -> api.mutatingWebhookConfigurations().withName(name).get(),
                    MutatingWebhookConfiguration::getWebhooks, MutatingWebhook::getName, MutatingWebhook::getClientConfig,
                    configuration -> api.mutatingWebhookConfigurations().resource(configuration).update());
            case VALIDATING -> new Access<ValidatingWebhookConfiguration, ValidatingWebhook>(
                    name -> api.validatingWebhookConfigurations().withName(name).get(),
                    ValidatingWebhookConfiguration::getWebhooks, ValidatingWebhook::getName,
                    ValidatingWebhook::getClientConfig,
                    configuration -> api.validatingWebhookConfigurations().resource(configuration).update());
        };
    }

    private static <C extends HasMetadata, W> PatchResult patch(Access<C, W> access, WebhookKind kind, String name,
                                            List<X509Certificate> bundle) {
        String where = kind.resource() + "/" + name;
        C configuration = KubernetesErrors.call("read " + where, () -> access.get().apply(name));
        List<W> webhooks = requireWebhooks(access, where, configuration);
        Map<String, String> annotations = configuration.getMetadata().getAnnotations();
        String injector = annotations == null ? null : CERT_MANAGER_INJECTION.stream()
                .filter(annotations::containsKey).findFirst().orElse(null);
        if (injector != null) {
            throw new CertsException(where + " has " + injector + ": cert-manager's cainjector maintains its caBundle;"
                    + " it was left untouched");
        }
        String caBundle = Base64.getEncoder()
                .encodeToString(Pem.encodeCertificates(bundle).getBytes(StandardCharsets.UTF_8));
        int changed = 0;
        for (W webhook : webhooks) {
            WebhookClientConfig config = access.clientConfig().apply(webhook);
            if (!bundle.equals(decode(config.getCaBundle()))) {
                config.setCaBundle(caBundle);
                changed++;
            }
        }
        if (changed > 0) {
            KubernetesErrors.call("update " + where, () -> {
                access.update().accept(configuration);
                return null;
            });
        }
        return new PatchResult(kind, name, webhooks.size(), changed);
    }

    private static <C extends HasMetadata, W> Map<String, List<X509Certificate>> read(Access<C, W> access, WebhookKind kind, String name) {
        String where = kind.resource() + "/" + name;
        C configuration = KubernetesErrors.call("read " + where, () -> access.get().apply(name));
        Map<String, List<X509Certificate>> bundles = new LinkedHashMap<>();
        for (W webhook : requireWebhooks(access, where, configuration)) {
            bundles.put(access.name().apply(webhook), decode(access.clientConfig().apply(webhook).getCaBundle()));
        }
        return bundles;
    }

    private static <C extends HasMetadata, W> List<W> requireWebhooks(Access<C, W> access, String where, C configuration) {
        if (configuration == null) {
            throw new CertsException(where + " not found");
        }
        List<W> webhooks = access.webhooks().apply(configuration);
        if (webhooks == null || webhooks.isEmpty()) {
            throw new CertsException(where + " has no webhooks to patch");
        }
        if (webhooks.stream().anyMatch(webhook -> access.clientConfig().apply(webhook) == null)) {
            throw new CertsException(where + " has a webhook without clientConfig");
        }
        return webhooks;
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
