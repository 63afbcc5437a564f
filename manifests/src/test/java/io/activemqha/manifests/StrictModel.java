package io.activemqha.manifests;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds what the fabric8 typed model did not recognise. Its classes keep every unknown (or mistyped) field in an
 * {@code additionalProperties} map instead of failing, so a typo such as {@code readinesProbe} would load silently;
 * walking the loaded object and collecting non-empty {@code additionalProperties} turns that into a failure with the
 * field's path.
 */
final class StrictModel {
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private StrictModel() {
    }

    /** Paths of every field the model did not map, e.g. {@code spec.template.spec.containers[0].readinesProbe}. */
    static List<String> unknownFields(Object root) {
        List<String> found = new ArrayList<>();
        walk(root, "", found);
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> walk(item, path + "[" + key + "]", found));
            return;
        }
        if (value instanceof Collection<?> items) {
            int index = 0;
            for (Object item : items) {
                walk(item, path + "[" + index++ + "]", found);
            }
            return;
        }
        if (!value.getClass().getName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                Object fieldValue = read(field, value);
                String fieldPath = path.isEmpty() ? field.getName() : path + "." + field.getName();
                if (field.getName().equals("additionalProperties")) {
                    if (fieldValue instanceof Map<?, ?> extra) {
                        extra.keySet().forEach(key -> found.add((path.isEmpty() ? "" : path + ".") + key));
                    }
                } else {
                    walk(fieldValue, fieldPath, found);
                }
            }
        }
    }

    private static Object read(Field field, Object owner) {
        try {
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + field + " of the fabric8 model", e);
        }
    }
}
