package io.activemqha.certs.kube;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.StoredMaterial;
import io.activemqha.certs.store.MaterialStore;
import io.activemqha.certs.store.StoreSnapshot;
import io.activemqha.common.CertificateFiles;
import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Two Secrets in one namespace: the serving Secret (type {@code kubernetes.io/tls}: {@code tls.crt},
 * {@code tls.key}, {@code ca.crt}), which the webhook mounts, and the CA Secret (type {@code Opaque}:
 * {@code ca.key}), which only the certs Job reads, so the webhook's pod never holds the CA key.
 *
 * <p>Writes use optimistic locking: an update carries the resourceVersion read by {@link #load()}, so a concurrent
 * writer makes this one fail instead of being overwritten. Only the data keys above are written; other keys,
 * labels and annotations of an existing Secret are kept.
 *
 * @param client    the API client
 * @param namespace the Secrets' namespace
 * @param name      the serving Secret
 * @param caName    the CA Secret
 */
public record SecretStore(KubernetesClient client, String namespace, String name, String caName)
        implements MaterialStore {
    public static final String TLS_TYPE = "kubernetes.io/tls";
    public static final String OPAQUE_TYPE = "Opaque";
    /** Set by cert-manager on the Secrets it owns: this tool must not fight it. */
    public static final String CERT_MANAGER_ANNOTATION = "cert-manager.io/certificate-name";

    private static final Set<String> SERVING_KEYS =
            Set.of(CertificateFiles.CA_CRT, CertificateFiles.TLS_CRT, CertificateFiles.TLS_KEY);
    private static final Set<String> CA_KEYS = Set.of(CertificateFiles.CA_KEY);

    /** The stores for serving Secret {@code name} and its CA Secret {@code name-ca}. */
    public static SecretStore withDefaultCaSecret(KubernetesClient client, String namespace, String name) {
        return new SecretStore(client, namespace, name, name + CertificateFiles.CA_SECRET_SUFFIX);
    }

    /** Rejects a CA Secret that is the serving Secret. */
    public SecretStore {
        if (name.equals(caName)) {
            throw new IllegalArgumentException("the CA Secret must differ from the serving Secret '" + name + "'");
        }
    }

    @Override
    public String describe() {
        return "secret " + namespace + "/" + name;
    }

    @Override
    public StoreSnapshot load() {
        Map<String, String> texts = new HashMap<>();
        Map<String, String> versions = new HashMap<>();
        Secret serving = get(name);
        if (serving != null) {
            requireType(serving, TLS_TYPE);
            requireNotCertManagers(serving);
            texts.putAll(decode(serving, SERVING_KEYS));
            versions.put(name, serving.getMetadata().getResourceVersion());
        }
        Secret ca = get(caName);
        if (ca != null) {
            requireType(ca, OPAQUE_TYPE);
            requireNotCertManagers(ca);
            texts.putAll(decode(ca, CA_KEYS));
            versions.put(caName, ca.getMetadata().getResourceVersion());
        }
        return new StoreSnapshot(new StoredMaterial(texts), versions);
    }

    /**
     * The serving Secret's {@code ca.crt}, {@code tls.crt} and {@code tls.key}, for reading only (check, patch):
     * a cert-manager Secret is fine here.
     *
     * @throws CertsException when the Secret is missing or not of type {@code kubernetes.io/tls}
     */
    public StoredMaterial readServing() {
        Secret serving = get(name);
        if (serving == null) {
            throw new CertsException(describe() + " not found");
        }
        requireType(serving, TLS_TYPE);
        return new StoredMaterial(decode(serving, SERVING_KEYS));
    }

    @Override
    public List<String> save(StoreSnapshot previous, StoredMaterial next) {
        List<String> written = new ArrayList<>();
        // The CA key first: a serving Secret is never published with a CA whose key could be lost.
        write(caName, OPAQUE_TYPE, CA_KEYS, previous, next).ifPresent(written::add);
        write(name, TLS_TYPE, SERVING_KEYS, previous, next).ifPresent(written::add);
        return written;
    }

    private Optional<String> write(String secretName, String type, Set<String> keys,
                                             StoreSnapshot previous, StoredMaterial next) {
        Map<String, String> data = new LinkedHashMap<>();
        boolean differs = false;
        for (String key : keys.stream().sorted().toList()) {
            String text = next.texts().get(key);
            if (text == null) {
                throw new IllegalArgumentException("incomplete material: " + key + " missing");
            }
            data.put(key, Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
            differs |= !Objects.equals(text, previous.material().texts().get(key));
        }
        String version = previous.versions().get(secretName);
        if (!differs && version != null) {
            return Optional.empty();
        }
        String where = "secret " + namespace + "/" + secretName;
        if (version == null) {
            Secret created = new SecretBuilder()
                    .withNewMetadata().withName(secretName).withNamespace(namespace)
                    .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE).endMetadata()
                    .withType(type).withData(data).build();
            KubernetesErrors.call("create " + where,
                    () -> client.secrets().inNamespace(namespace).resource(created).create());
            return Optional.of("created " + where + " " + data.keySet());
        }
        Secret current = get(secretName);
        if (current == null || !version.equals(current.getMetadata().getResourceVersion())) {
            throw new CertsException(where + " changed since it was read (another writer?); nothing of it was"
                    + " written: run again");
        }
        requireType(current, type);
        requireNotCertManagers(current);
        Secret updated = new SecretBuilder(current).addToData(data).build();
        KubernetesErrors.call("update " + where,
                () -> client.secrets().inNamespace(namespace).resource(updated).update());
        return Optional.of("updated " + where + " " + data.keySet());
    }

    private Secret get(String secretName) {
        return KubernetesErrors.call("read secret " + namespace + "/" + secretName,
                () -> client.secrets().inNamespace(namespace).withName(secretName).get());
    }

    private void requireType(Secret secret, String expected) {
        String type = secret.getType() == null ? OPAQUE_TYPE : secret.getType();
        String where = "secret " + namespace + "/" + secret.getMetadata().getName();
        if (!expected.equals(type)) {
            throw new CertsException(where + " has type " + type + ", expected " + expected
                    + "; it was left untouched");
        }
    }

    private void requireNotCertManagers(Secret secret) {
        String where = "secret " + namespace + "/" + secret.getMetadata().getName();
        Map<String, String> annotations = secret.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(CERT_MANAGER_ANNOTATION)) {
            throw new CertsException(where + " is managed by cert-manager (Certificate "
                    + annotations.get(CERT_MANAGER_ANNOTATION) + "); it was left untouched");
        }
    }

    private Map<String, String> decode(Secret secret, Set<String> keys) {
        Map<String, String> texts = new HashMap<>();
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        for (String key : keys) {
            String value = data.get(key);
            if (value != null) {
                try {
                    texts.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new CertsException("secret " + namespace + "/" + secret.getMetadata().getName() + ": "
                            + key + " is not base64", e);
                }
            }
        }
        return texts;
    }
}
