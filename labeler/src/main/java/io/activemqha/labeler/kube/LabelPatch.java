package io.activemqha.labeler.kube;

import io.activemqha.common.Labels;

/** JSON merge patches that touch only the {@code leader} label, never the rest of the pod (pure). */
public final class LabelPatch {
    private LabelPatch() {
    }

    /** Sets {@code leader} to {@code value}. */
    public static String leader(String value) {
        return "{\"metadata\":{\"labels\":{\"" + Labels.LEADER + "\":\"" + value + "\"}}}";
    }

    /**
     * Sets {@code leader} to {@code value} only if the pod still has {@code resourceVersion}: the API server
     * answers 409 otherwise, so a peer that changed meanwhile is re-read instead of overwritten.
     */
    public static String leaderIfUnchanged(String value, String resourceVersion) {
        return "{\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\",\"labels\":{\"" + Labels.LEADER + "\":\""
                + value + "\"}}}";
    }
}
