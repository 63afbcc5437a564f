package io.activemqha.webhook.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.activemqha.common.Annotations;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.inject.ManifestException;
import io.activemqha.webhook.inject.ManifestInjector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Coverage-guided fuzzing of the offline {@code inject} path ({@link ManifestInjector}): arbitrary text, and the
 * multi-document manifest fixture with its documents dropped, duplicated or reordered and its pods and pod templates
 * edited by {@link PodEdits}. Properties: only a {@link ManifestException} (with a line) for bad input; nothing
 * injected means the text comes back byte for byte; every newly injected pod or template reads as a fabric8 Pod
 * with exactly one {@code leader-labeler}; injecting the output again changes nothing.
 */
class ManifestInjectFuzzTest {
    private static final String MANIFEST = resource("/inject/manifests.yaml");
    /** The fixture's documents, parsed once: each input edits a deep copy. */
    private static final List<JsonNode> DOCUMENTS = documents(MANIFEST);

    private final ManifestInjector injector = new ManifestInjector(InjectorConfig.defaults());
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final JsonMapper jackson = JsonMapper.builder().build();

    // Raw bytes read as UTF-8 (as `inject -f` reads a file), so seeds and findings are plain YAML files.
    @FuzzTest(maxDuration = "30s")
    void arbitraryText(byte[] text) {
        checkInjection(new String(text, StandardCharsets.UTF_8));
    }

    @FuzzTest(maxDuration = "30s")
    void mutatedManifests(FuzzedDataProvider data) {
        List<JsonNode> documents = new ArrayList<>();
        DOCUMENTS.forEach(d -> documents.add(d.deepCopy()));
        int reshapes = data.consumeInt(0, 3);
        for (int i = 0; i < reshapes; i++) {
            int at = data.consumeInt(0, documents.size() - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> documents.remove(at);
                case 1 -> documents.add(data.consumeInt(0, documents.size()), documents.get(at).deepCopy());
                default -> documents.add(documents.remove(at));
            }
            if (documents.isEmpty()) {
                return;
            }
        }
        List<Object> edited = new ArrayList<>();
        for (JsonNode tree : documents) {
            List<ObjectNode> pods = new ArrayList<>();
            podsOf(tree, pods);
            for (ObjectNode pod : pods) {
                if (data.consumeBoolean()) {
                    PodEdits.apply(data, pod, 6);
                }
            }
            edited.add(jackson.treeToValue(tree, Object.class));
        }
        checkInjection(yaml().dumpAll(edited.iterator()));
    }

    private void checkInjection(String manifest) {
        ManifestInjector.Result result;
        try {
            result = injector.inject(manifest);
        } catch (ManifestException e) {
            assertThat(e.line()).as("line of %s", e.getMessage()).isPositive();
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        if (result.injected() == 0) {
            assertThat(result.output()).as("nothing injected: the text is kept byte for byte").isEqualTo(manifest);
            return;
        }
        // inject cuts documents where the YAML parser does, so what it accepted loads as one stream, before and after.
        List<ObjectNode> before = podsOf(manifest);
        List<ObjectNode> after = podsOf(result.output());
        assertThat(after).as("pods and templates after injection").hasSameSizeAs(before);
        int newlyInjected = 0;
        for (int i = 0; i < after.size(); i++) {
            if (!injected(before.get(i)) && injected(after.get(i))) {
                newlyInjected++;
                Pod pod = serialization.unmarshal(after.get(i).toString(), Pod.class);
                assertThat(AdmissionProperties.labelerCount(pod.getSpec())).as("leader-labeler containers of %s", pod.getMetadata())
                        .isEqualTo(1);
            }
        }
        assertThat(newlyInjected).as("pods and templates newly carrying %s", Annotations.INJECTED).isEqualTo(result.injected());

        ManifestInjector.Result again;
        try {
            again = injector.inject(result.output());
        } catch (ManifestException e) {
            throw new AssertionError("inject refused its own output: " + e.getMessage() + "\n" + result.output(), e);
        }
        assertThat(again.injected()).as("a second run injects nothing").isZero();
        assertThat(again.output()).as("a second run changes nothing").isEqualTo(result.output());
    }

    private static boolean injected(ObjectNode pod) {
        return pod.path("metadata").path("annotations").has(Annotations.INJECTED);
    }

    /** The pods and pod templates of every document, in document order (only those {@code inject} visits). */
    private List<ObjectNode> podsOf(String manifest) {
        List<ObjectNode> pods = new ArrayList<>();
        for (Object document : yaml().loadAll(manifest)) {
            if (document instanceof Map) {
                podsOf(jackson.valueToTree(document), pods);
            }
        }
        return pods;
    }

    /** Mirrors which objects {@code inject} visits: core Pods, apps/extensions workloads, batch Jobs and CronJobs, Lists. */
    private static void podsOf(JsonNode document, List<ObjectNode> into) {
        String kind = document.path("kind").isString() ? document.path("kind").stringValue() : "";
        String apiVersion = document.path("apiVersion").isString() ? document.path("apiVersion").stringValue() : null;
        String group = apiVersion == null ? null : apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        if (kind.equals("List") && document.path("items").isArray()) {
            document.path("items").values().forEach(item -> podsOf(item, into));
            return;
        }
        JsonNode template = switch (kind) {
            case "Pod" -> "".equals(group) ? document : null;
            case "Deployment", "StatefulSet", "ReplicaSet", "DaemonSet" ->
                    "apps".equals(group) || "extensions".equals(group) ? document.path("spec").path("template") : null;
            case "Job" -> "batch".equals(group) ? document.path("spec").path("template") : null;
            case "CronJob" -> "batch".equals(group) ? document.path("spec").path("jobTemplate").path("spec").path("template") : null;
            default -> null;
        };
        if (template instanceof ObjectNode pod) {
            into.add(pod);
        }
    }

    private static List<JsonNode> documents(String manifest) {
        JsonMapper mapper = JsonMapper.builder().build();
        List<JsonNode> documents = new ArrayList<>();
        yaml().loadAll(manifest).forEach(d -> documents.add(mapper.valueToTree(d)));
        return documents;
    }

    private static Yaml yaml() {
        DumperOptions dump = new DumperOptions();
        dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new org.yaml.snakeyaml.representer.Representer(dump), dump);
    }

    private static String resource(String path) {
        try (InputStream in = ManifestInjectFuzzTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
