package io.activemqha.webhook.admission;

import java.util.EnumSet;

import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Computes the JSON Patch that turns an object, exactly as the API server sent it, into its mutated form.
 *
 * <p>The mutated form comes from the fabric8 model, which drops members that are {@code null} or empty (the API
 * server sends e.g. {@code "creationTimestamp": null}); Kubernetes treats those the same as absent, so removing them
 * would be noise. Such removals are left out: they are object members, so leaving them out shifts no array index
 * and the rest of the patch still applies to the original. Likewise a number that the model writes back as the same
 * text in a string (a quantity such as {@code cpu: 1}, an int-or-string port) is left as it was.
 */
public final class PodPatch {
    private static final EnumSet<DiffFlags> FLAGS =
            EnumSet.of(DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION, DiffFlags.OMIT_VALUE_ON_REMOVE);

    private PodPatch() {
    }

    /** The add/remove/replace operations from {@code original} to {@code mutated}, without removals of empty members. */
    public static ArrayNode diff(JsonNode original, JsonNode mutated) {
        ArrayNode patch = JsonNodeFactory.instance.arrayNode();
        for (JsonNode op : JsonDiff.asJson(original, mutated, FLAGS)) {
            if (!isRemovalOfEmptyMember(original, op) && !isNumberAsSameString(original, op)) {
                patch.add(op);
            }
        }
        return patch;
    }

    private static boolean isNumberAsSameString(JsonNode original, JsonNode op) {
        if (!"replace".equals(op.path("op").asString(""))) {
            return false;
        }
        JsonNode before = original.at(JsonPointer.compile(op.path("path").asString("")));
        JsonNode after = op.path("value");
        return before.isNumber() && after.isString() && after.stringValue().equals(before.asString());
    }

    private static boolean isRemovalOfEmptyMember(JsonNode original, JsonNode op) {
        if (!"remove".equals(op.path("op").asString(""))) {
            return false;
        }
        JsonPointer path = JsonPointer.compile(op.path("path").asString(""));
        JsonNode parent = original.at(path.head());
        JsonNode removed = original.at(path);
        return parent.isObject() && (removed.isNull() || (removed.isContainer() && removed.isEmpty()));
    }
}
