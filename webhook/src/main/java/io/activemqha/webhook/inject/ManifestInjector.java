package io.activemqha.webhook.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.activemqha.common.Annotations;
import io.activemqha.webhook.admission.Injection;
import io.activemqha.webhook.admission.InjectionContext;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.Outcome;
import io.activemqha.webhook.admission.PodInjector;
import io.activemqha.webhook.admission.PodPatch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.reader.ReaderException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Offline injection of a multi-document manifest: every Pod, and every pod template of a Deployment, StatefulSet,
 * ReplicaSet, DaemonSet, Job or CronJob, whose annotations say {@code activemq-ha: "true"}, gets exactly what the
 * webhook would do to it ({@link PodInjector}), applied as the same diff so the rest of the document is kept as is.
 * Documents are cut where the YAML parser cuts them; those without such a pod are written back byte for byte, an
 * injected one is re-written as YAML between its own markers, directives and surrounding comments (comments inside it
 * are lost). Injected templates carry {@code activemq-ha/injected}, so a second
 * run changes nothing and the webhook leaves their pods alone.
 */
public final class ManifestInjector {
    private final PodInjector injector;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final PodPatch patches = new PodPatch(serialization);
    private final JsonMapper mapper = JsonMapper.builder().build();
    private final Yaml11 yaml = new Yaml11();

    public ManifestInjector(InjectorConfig config) {
        this.injector = new PodInjector(Objects.requireNonNull(config, "config"));
    }

    /**
     * The injected manifest.
     *
     * @param output   the manifest to write
     * @param injected how many pods and pod templates were injected
     * @param warnings things the user should know (a custom service account, an annotation on the wrong object)
     */
    public record Result(String output, int injected, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Injects every annotated pod of {@code manifest}.
     *
     * @throws ManifestException on malformed YAML (with its line) or a pod the webhook would deny (all of them)
     */
    public Result inject(String manifest) throws ManifestException {
        StringBuilder output = new StringBuilder(manifest.length() + 4096);
        List<String> warnings = new ArrayList<>();
        List<String> denials = new ArrayList<>();
        int firstDenialLine = 0;
        int injected = 0;
        for (YamlChunks.Chunk chunk : split(manifest)) {
            if (!chunk.mapping()) {
                output.append(chunk.text());
                continue;
            }
            List<Object> documents = load(chunk);
            if (documents.size() != 1 || !(documents.get(0) instanceof Map)) {
                output.append(chunk.text());
                continue;
            }
            JsonNode document = toJson(chunk, documents.get(0));
            Document doc = new Document(chunk.line(), warnings, new ArrayList<>());
            int count = doc.visit((ObjectNode) document);
            if (!doc.denials().isEmpty()) {
                firstDenialLine = firstDenialLine == 0 ? chunk.line() : firstDenialLine;
                denials.addAll(doc.denials());
            }
            if (count == 0) {
                output.append(chunk.text());
                continue;
            }
            injected += count;
            output.append(chunk.withRoot(yaml.dump(mapper.treeToValue(document, Object.class))));
        }
        if (!denials.isEmpty()) {
            throw new ManifestException(firstDenialLine, String.join("\n", denials));
        }
        return new Result(output.toString(), injected, warnings);
    }

    /** The stream's documents, cut where the YAML parser cuts them. */
    private List<YamlChunks.Chunk> split(String manifest) throws ManifestException {
        try {
            return YamlChunks.split(manifest, yaml);
        } catch (YAMLException e) {
            throw malformed(e, manifest, 1);
        }
    }

    private List<Object> load(YamlChunks.Chunk chunk) throws ManifestException {
        try {
            return yaml.load(chunk.text());
        } catch (YAMLException e) {
            throw malformed(e, chunk.text(), chunk.textLine());
        }
    }

    /** The error with the line it is on; {@code firstLine} is the line of {@code text}'s first character. */
    private static ManifestException malformed(YAMLException e, String text, int firstLine) {
        if (e instanceof MarkedYAMLException marked) {
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            int line = firstLine + (mark == null ? 0 : mark.getLine());
            return new ManifestException(line, "malformed YAML: "
                    + oneLine(marked.getProblem() != null ? marked.getProblem() : marked.getMessage())
                    + (marked.getContext() != null ? " (" + oneLine(marked.getContext()) + ")" : ""));
        }
        int line = e instanceof ReaderException unreadable
                ? firstLine - 1 + YamlChunks.lineAt(text, unreadable.getPosition()) : firstLine;
        return new ManifestException(line, "malformed YAML: " + oneLine(e.getMessage()));
    }

    /** The document as JSON, which is what the API server takes; YAML-only shapes (e.g. a null key) are refused. */
    private JsonNode toJson(YamlChunks.Chunk chunk, Object document) throws ManifestException {
        try {
            return mapper.valueToTree(document);
        } catch (JacksonException e) {
            throw new ManifestException(chunk.line(), "not a Kubernetes object (it has no JSON form): "
                    + oneLine(e.getOriginalMessage()));
        }
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\n\\s*", " ").strip();
    }

    /** Walks one YAML document; counts injections and collects denials. */
    private final class Document {
        private final int line;
        private final List<String> warnings;
        private final List<String> denials;

        Document(int line, List<String> warnings, List<String> denials) {
            this.line = line;
            this.warnings = warnings;
            this.denials = denials;
        }

        List<String> denials() {
            return denials;
        }

        int visit(ObjectNode object) {
            String kind = text(object, "kind");
            String group = apiGroup(text(object, "apiVersion"));
            if ("List".equals(kind) && object.path("items").isArray()) {
                int count = 0;
                for (JsonNode item : object.get("items")) {
                    count += item.isObject() ? visit((ObjectNode) item) : 0;
                }
                return count;
            }
            if (kind == null || group == null) {
                return 0;
            }
            String name = workloadName(object);
            String what = kind + " " + (name == null ? "(unnamed)" : name);
            JsonNode spec = object.path("spec");
            if ("Pod".equals(kind) && group.isEmpty()) {
                return injectPod(object, InjectionContext.admission(), what);
            }
            if (List.of("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet").contains(kind)
                    && (group.equals("apps") || group.equals("extensions"))) {
                return injectTemplate(object, spec.path("template"), name, what);
            }
            if ("Job".equals(kind) && group.equals("batch")) {
                return injectTemplate(object, spec.path("template"), name, what);
            }
            if ("CronJob".equals(kind) && group.equals("batch")) {
                return injectTemplate(object, spec.path("jobTemplate").path("spec").path("template"), name, what);
            }
            return 0;
        }

        private int injectTemplate(ObjectNode workload, JsonNode template, String name, String what) {
            if (!template.isObject()) {
                return 0;
            }
            boolean templateAnnotated = template.path("metadata").path("annotations").has(Annotations.ENABLED);
            if (!templateAnnotated && workload.path("metadata").path("annotations").has(Annotations.ENABLED)) {
                warnings.add(what + ": annotation " + Annotations.ENABLED + " is on the " + workload.path("kind").asString("")
                        + ", not on its pod template, which is what gets injected: left unchanged");
            }
            return injectPod((ObjectNode) template, InjectionContext.workload(name), what + " pod template");
        }

        /** Injects a pod, or a pod template (metadata and spec), in place. */
        private int injectPod(ObjectNode podLike, InjectionContext context, String what) {
            String opaque = opaqueValue(podLike, "");
            if (opaque != null) {
                // The diff works on JSON values only; such a pod could not be sent to the API server as JSON either.
                denials.add("line " + line + ": " + what + " is not a valid pod: the value at " + opaque
                        + " has no JSON form (e.g. a !!binary scalar); write it as a plain string");
                return 0;
            }
            Pod pod;
            try {
                pod = serialization.unmarshal(podLike.toString(), Pod.class);
            } catch (RuntimeException e) {
                denials.add("line " + line + ": " + what + " is not a valid pod: " + oneLine(e.getMessage()));
                return 0;
            }
            Injection injection = injector.inject(pod, context);
            if (injection.outcome() == Outcome.DENIED) {
                denials.add("line " + line + ": " + what + ": " + injection.message());
                return 0;
            }
            injection.warnings().forEach(w -> warnings.add(what + ": " + w));
            if (injection.outcome() != Outcome.INJECTED) {
                return 0;
            }
            JsonNode patched = JsonPatch.apply(patches.of(podLike, injection), podLike);
            podLike.removeAll();
            podLike.setAll((ObjectNode) patched);
            return 1;
        }
    }

    /** JSON Pointer of the first value with no JSON form (a !!binary or other non-JSON scalar), or {@code null}. */
    private static String opaqueValue(JsonNode node, String pointer) {
        if (node.isBinary() || node.isPojo()) {
            return pointer.isEmpty() ? "/" : pointer;
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String found = opaqueValue(field.getValue(), pointer + "/" + field.getKey().replace("~", "~0").replace("/", "~1"));
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = opaqueValue(node.get(i), pointer + "/" + i);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The workload's name, else its generateName without trailing dashes (Jobs are often generated). */
    private static String workloadName(JsonNode object) {
        String name = text(object.path("metadata"), "name");
        if (name != null && !name.isEmpty()) {
            return name;
        }
        String generateName = text(object.path("metadata"), "generateName");
        return generateName == null ? null : generateName.replaceAll("-+$", "");
    }

    /** "" for the core group ({@code v1}), the group of {@code group/version}, {@code null} when there is no apiVersion. */
    private static String apiGroup(String apiVersion) {
        if (apiVersion == null) {
            return null;
        }
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }
}
