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

    /** A pod of HA group {@code group}: opted in, with the group named explicitly so bare pods share it. */
    static String groupPod(String name, String group) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  annotations:
                    %s: "true"
                    %s: %s
                spec:
                  containers:
                  - name: broker
                    image: registry.invalid/activemq-classic:e2e
                """.formatted(name, Annotations.ENABLED, Annotations.GROUP, group);
    }

    /** A one-replica Deployment whose pod template opted in. */
    static String brokerDeployment(String name) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: %s}
                  template:
                    metadata:
                      labels: {app: %s}
                      annotations: {"%s": "true"}
                    spec:
                      containers:
                      - name: broker
                        image: registry.invalid/activemq-classic:e2e
                """.formatted(name, name, name, Annotations.ENABLED);
    }
}
