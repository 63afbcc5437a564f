package io.activemqha.webhook.admission;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.DoubleNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Computes the JSON Patch (RFC 6902) of an {@link Injection}: the diff from the pod exactly as it was given (the
 * API server's JSON, or a manifest's pod template) to the injected pod, so the patch applies to that very object.
 *
 * <p>The diff is taken in steps, original to {@link Injection#prepared()} (labels, account, token isolation), on to
 * {@link Injection#equipped()} if any (the lease locker's mounts and env in the pod's own containers) and on to
 * {@link Injection#pod()} (the added containers and volumes): a single diff would align the new
 * {@code leader-labeler} with an existing init container and morph one into the other field by field, or the removed
 * token mount into the added locker mount, which applies correctly but reads badly in an audit log.
 *
 * <p>The injected forms come from the fabric8 model, which drops members that are {@code null} or empty (the API
 * server sends {@code "creationTimestamp": null}) and writes some numbers back as strings (a quantity {@code cpu: 1}).
 * Kubernetes reads both forms alike, so such differences are not changes: removals of empty object members and
 * number-to-same-text replacements are left out. They are object members, so leaving them out shifts no array index.
 */
public final class PodPatch {
    /** Top-level members a pod template lacks but the Pod model always writes. */
    private static final List<String> POD_ONLY_MEMBERS = List.of("apiVersion", "kind", "status");

    private final KubernetesSerialization serialization;
    /** Plain add/remove/replace: move and copy operations would be correct but harder to audit. */
    private final EnumSet<DiffFlags> flags =
            EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_VALUE_ON_REMOVE);

    public PodPatch(KubernetesSerialization serialization) {
        this.serialization = serialization;
    }

    /**
     * The add/remove/replace operations turning {@code original} into the injected pod.
     *
     * @param original the pod or pod template (metadata and spec) as given
     * @param injection an {@link Outcome#INJECTED} injection of {@code original}
     */
    public ArrayNode of(JsonNode original, Injection injection) {
        if (injection.outcome() != Outcome.INJECTED) {
            throw new IllegalArgumentException("no patch for a pod that was not injected: " + injection.reason());
        }
        JsonNode step = json(injection.prepared(), original);
        ArrayNode patch = diff(original, step);
        if (injection.equipped() != null) {
            JsonNode equipped = json(injection.equipped(), original);
            patch.addAll(diff(step, equipped));
            step = equipped;
        }
        patch.addAll(diff(step, json(injection.pod(), original)));
        return patch;
    }

    private JsonNode json(Pod pod, JsonNode original) {
        // Straight to a tree: writing JSON text and parsing it back was the largest single cost of a review.
        ObjectNode json = serialization.convertValue(pod, ObjectNode.class);
        POD_ONLY_MEMBERS.stream().filter(member -> !original.has(member)).forEach(json::remove);
        nameFirst(json);
        asParsed(json);
        return json;
    }

    /**
     * Gives numbers the node types a parser gives them (int when it fits, else long; double for fractions): the tree
     * converted from the model keeps the Java field types, and the diff would see {@code 60} as a Long field and
     * {@code 60} as parsed text as different values.
     */
    private static void asParsed(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> member : object.properties()) {
                member.setValue(asParsedNumber(member.getValue()));
                asParsed(member.getValue());
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, asParsedNumber(array.get(i)));
                asParsed(array.get(i));
            }
        }
    }

    private static JsonNode asParsedNumber(JsonNode value) {
        if (value.isIntegralNumber() && !value.isInt() && value.canConvertToInt()) {
            return IntNode.valueOf(value.intValue());
        }
        if (value.isFloat()) {
            return DoubleNode.valueOf(Double.parseDouble(Float.toString(value.floatValue())));
        }
        return value;
    }

    /**
     * The model writes members alphabetically; moving {@code name} first makes the added container and volume read
     * as people write them (in the patch and in {@code inject} output). Member order carries no meaning in JSON, and
     * only added objects take their order from here.
     */
    private static void nameFirst(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode name = object.get("name");
            if (name != null && name.isString()) {
                // A shallow copy is enough: the members are moved, not changed.
                ObjectNode rest = object.objectNode().setAll(object);
                rest.remove("name");
                object.removeAll();
                object.set("name", name);
                object.setAll(rest);
            }
        }
        for (JsonNode child : node) {
            nameFirst(child);
        }
    }

    private ArrayNode diff(JsonNode original, JsonNode mutated) {
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        for (JsonNode op : JsonDiff.asJson(original, mutated, flags)) {
            if (!isRemovalOfEmptyMember(original, op) && !isNumberAsSameText(original, op)) {
                patch.add(op);
            }
        }
        return patch;
    }

    private static boolean isRemovalOfEmptyMember(JsonNode original, JsonNode op) {
        if (!"remove".equals(op.path("op").asString(""))) {
            return false;
        }
        JsonPointer path = JsonPointer.compile(op.path("path").asString(""));
        JsonNode removed = original.at(path);
        return original.at(path.head()).isObject() && (removed.isNull() || (removed.isContainer() && removed.isEmpty()));
    }

    private static boolean isNumberAsSameText(JsonNode original, JsonNode op) {
        if (!"replace".equals(op.path("op").asString(""))) {
            return false;
        }
        JsonNode before = original.at(JsonPointer.compile(op.path("path").asString("")));
        JsonNode after = op.path("value");
        return before.isNumber() && after.isString() && after.stringValue().equals(before.asString());
    }
}
