package io.activemqha.manifests;

import java.util.Map;

/** Label selection as a Service or a matchLabels selector does it: every selector pair is among the labels. */
final class Selectors {
    private Selectors() {
    }

    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) {
            throw new AssertionError("an empty selector selects everything (Service) or nothing useful");
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        return selector.entrySet().stream().allMatch(pair -> pair.getValue().equals(actual.get(pair.getKey())));
    }
}
