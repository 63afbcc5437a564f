package io.activemqha.e2e;

import io.activemqha.common.Annotations;

/** Manifests the scenarios create, as a user writes them. */
final class Manifests {
    private Manifests() {
    }

    /** A bare broker pod that opted in (or not) to activemq-ha; its image is never pulled (no kubelet). */
    static String brokerPod(String name, String annotationValue) {
        String annotations = annotationValue == null ? "{}"
                : "{\"" + Annotations.ENABLED + "\": \"" + annotationValue + "\"}";
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  annotations: %s
                spec:
                  containers:
                  - name: broker
                    image: registry.invalid/activemq-classic:e2e
                """.formatted(name, annotations);
    }
}
