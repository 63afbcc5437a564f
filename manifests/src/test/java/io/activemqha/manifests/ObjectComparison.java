package io.activemqha.manifests;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Compares two renders of the same install object by object (keyed by apiVersion, kind, namespace and name), field by
 * field, and names every difference by its path. Two differences are normalized away, and only these:
 * <ul>
 *   <li>Helm's bookkeeping labels ({@link #HELM_LABELS}) on the chart's objects;</li>
 *   <li>{@code metadata.namespace} on cluster-scoped objects: kustomize sets it on kinds its schema does not know to
 *       be cluster-scoped (ValidatingAdmissionPolicy and its binding), and the API server drops it.</li>
 * </ul>
 */
final class ObjectComparison {
    /** The labels a chart adds for Helm, which a kustomize install has no counterpart for. */
    static final Set<String> HELM_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/instance");
    private static final YAMLMapper YAML = new YAMLMapper();

    private ObjectComparison() {
    }

    /**
     * The differences between the chart's render and the kustomize render ({@code []} when they hold the same
     * objects); both must load into the typed model.
     */
    static List<String> differences(String chartSource, String chartYaml, String kustomizeSource, String kustomizeYaml) {
        Map<String, ObjectNode> chart = objects(Rendered.load(chartSource, chartYaml), chartYaml);
        Map<String, ObjectNode> kustomize = objects(Rendered.load(kustomizeSource, kustomizeYaml), kustomizeYaml);
        chart.values().forEach(ObjectComparison::removeHelmLabels);
        List<String> differences = new ArrayList<>();
        Set<String> ids = new TreeSet<>(chart.keySet());
        ids.addAll(kustomize.keySet());
        for (String id : ids) {
            if (!chart.containsKey(id)) {
                differences.add(id + ": only in " + kustomizeSource);
            } else if (!kustomize.containsKey(id)) {
                differences.add(id + ": only in " + chartSource);
            } else {
                diff(id, "", chart.get(id), kustomize.get(id), differences);
            }
        }
        return differences;
    }

    /** The documents of {@code yaml} by id, cluster-scoped ones (per the typed model) without a namespace. */
    private static Map<String, ObjectNode> objects(Rendered rendered, String yaml) {
        Set<String> clusterScoped = rendered.objects().stream().filter(o -> !(o instanceof Namespaced))
                .map(HasMetadata::getKind).collect(Collectors.toSet());
        Map<String, ObjectNode> byId = new LinkedHashMap<>();
        for (JsonNode document : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
            if (!(document instanceof ObjectNode object)) {
                continue;
            }
            ObjectNode metadata = (ObjectNode) object.path("metadata");
            if (clusterScoped.contains(object.path("kind").asString())) {
                metadata.remove("namespace");
            }
            String id = object.path("apiVersion").asString() + " " + object.path("kind").asString() + " "
                    + metadata.path("namespace").asString("") + "/" + metadata.path("name").asString();
            if (byId.put(id, object) != null) {
                throw new AssertionError("duplicate object " + id + " in " + rendered.source());
            }
        }
        return byId;
    }

    private static void removeHelmLabels(ObjectNode object) {
        if (object.path("metadata").path("labels") instanceof ObjectNode labels) {
            HELM_LABELS.forEach(labels::remove);
        }
    }

    private static void diff(String id, String path, JsonNode chart, JsonNode kustomize, List<String> differences) {
        if (chart.equals(kustomize)) {
            return;
        }
        if (chart.isObject() && kustomize.isObject()) {
            Set<String> fields = new TreeSet<>(chart.propertyNames());
            fields.addAll(kustomize.propertyNames());
            for (String field : fields) {
                diff(id, path + "." + field, chart.path(field), kustomize.path(field), differences);
            }
        } else if (chart.isArray() && kustomize.isArray() && chart.size() == kustomize.size()) {
            for (int i = 0; i < chart.size(); i++) {
                diff(id, path + "[" + i + "]", chart.get(i), kustomize.get(i), differences);
            }
        } else {
            differences.add(id + " " + path + ": chart " + describe(chart) + ", kustomize " + describe(kustomize));
        }
    }

    private static String describe(JsonNode node) {
        return node.isMissingNode() ? "(absent)" : node.toString();
    }
}
