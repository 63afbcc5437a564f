package io.activemqha.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The objects of one rendered kustomization, loaded into the fabric8 typed model (cert-manager objects into
 * {@link CertManager}'s records). Loading fails on anything the typed model does not know: an unknown kind, an
 * unknown or mistyped field. Prometheus Operator objects go into {@link PrometheusOperator}'s records the same way.
 */
final class Rendered {
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final String source;
    private final List<HasMetadata> objects;
    private final List<CertManager.Issuer> issuers;
    private final List<CertManager.Certificate> certificates;
    private final List<PrometheusOperator.PrometheusRule> prometheusRules;
    private final List<PrometheusOperator.PodMonitor> podMonitors;

    private Rendered(String source, List<HasMetadata> objects, List<CertManager.Issuer> issuers,
                     List<CertManager.Certificate> certificates, List<PrometheusOperator.PrometheusRule> prometheusRules,
                     List<PrometheusOperator.PodMonitor> podMonitors) {
        this.source = source;
        this.objects = List.copyOf(objects);
        this.issuers = List.copyOf(issuers);
        this.certificates = List.copyOf(certificates);
        this.prometheusRules = List.copyOf(prometheusRules);
        this.podMonitors = List.copyOf(podMonitors);
    }

    /** Loads every document of {@code yaml} (the output of {@code kubectl kustomize source}). */
    static Rendered load(String source, String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        List<CertManager.Issuer> issuers = new ArrayList<>();
        List<CertManager.Certificate> certificates = new ArrayList<>();
        List<PrometheusOperator.PrometheusRule> prometheusRules = new ArrayList<>();
        List<PrometheusOperator.PodMonitor> podMonitors = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
            if (document == null || document.isNull() || document.isMissingNode()) {
                continue;
            }
            String id = document.path("kind").asString("?") + "/" + document.path("metadata").path("name").asString("?");
            if (CertManager.API_VERSION.equals(document.path("apiVersion").asString(""))) {
                switch (document.path("kind").asString("")) {
                    case "Issuer" -> issuers.add(YAML.treeToValue(document, CertManager.Issuer.class));
                    case "Certificate" -> certificates.add(YAML.treeToValue(document, CertManager.Certificate.class));
                    default -> problems.add(id + ": a cert-manager kind the tests do not model");
                }
                continue;
            }
            if (PrometheusOperator.API_VERSION.equals(document.path("apiVersion").asString(""))) {
                switch (document.path("kind").asString("")) {
                    case "PrometheusRule" -> prometheusRules.add(YAML.treeToValue(document, PrometheusOperator.PrometheusRule.class));
                    case "PodMonitor" -> podMonitors.add(YAML.treeToValue(document, PrometheusOperator.PodMonitor.class));
                    default -> problems.add(id + ": a Prometheus Operator kind the tests do not model");
                }
                continue;
            }
            KubernetesResource resource = SERIALIZATION.unmarshal(JSON.writeValueAsString(document), KubernetesResource.class);
            if (!(resource instanceof HasMetadata typed) || resource instanceof GenericKubernetesResource) {
                problems.add(id + " (" + document.path("apiVersion").asString("?")
                        + "): not a kind of the fabric8 typed model (wrong apiVersion or kind?)");
                continue;
            }
            StrictModel.unknownFields(typed).forEach(field -> problems.add(id + ": unknown field " + field));
            objects.add(typed);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(source + " does not load into the typed model:\n  " + String.join("\n  ", problems));
        }
        return new Rendered(source, objects, issuers, certificates, prometheusRules, podMonitors);
    }

    String source() {
        return source;
    }

    List<HasMetadata> objects() {
        return objects;
    }

    List<CertManager.Issuer> issuers() {
        return issuers;
    }

    List<CertManager.Certificate> certificates() {
        return certificates;
    }

    List<PrometheusOperator.PrometheusRule> prometheusRules() {
        return prometheusRules;
    }

    List<PrometheusOperator.PodMonitor> podMonitors() {
        return podMonitors;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    /** The object of that type and name; fails naming what there is instead. */
    <T extends HasMetadata> T one(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(source + " has no " + type.getSimpleName()
                + " named " + name + "; it has: " + all(type).stream().map(o -> o.getMetadata().getName())
                .collect(Collectors.joining(", "))));
    }

    /** The only object of that type; fails if there is none or several. */
    <T extends HasMetadata> T only(Class<T> type) {
        List<T> matching = all(type);
        if (matching.size() != 1) {
            throw new AssertionError(source + " has " + matching.size() + " " + type.getSimpleName() + " objects, expected 1");
        }
        return matching.get(0);
    }
}
