package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The chart-versus-kustomize comparison finds every difference but the two it documents as normalized. */
class ObjectComparisonTest {
    private static final String CONFIG_MAP = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: c
              namespace: n
              labels: {app.kubernetes.io/part-of: activemq-ha%s}
            data: {a: "%s"}
            """;
    private static final String POLICY = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata:
              name: p
              %s
            spec:
              policyName: p
              validationActions: [Deny]
            """;
    private static final String HELM_LABELS =
            ", helm.sh/chart: c-1, app.kubernetes.io/managed-by: Helm, app.kubernetes.io/instance: r";

    @Test
    void helmsBookkeepingLabelsAndKustomizesNamespaceOnClusterScopedKindsAreNormalized() {
        assertThat(ObjectComparison.differences("chart", CONFIG_MAP.formatted(HELM_LABELS, "1") + "---\n" + POLICY.formatted(""),
                "kustomize", CONFIG_MAP.formatted("", "1") + "---\n" + POLICY.formatted("namespace: n"))).isEmpty();
    }

    @Test
    void aChangedFieldIsNamedByItsPath() {
        assertThat(ObjectComparison.differences("chart", CONFIG_MAP.formatted(HELM_LABELS, "2"),
                "kustomize", CONFIG_MAP.formatted("", "1")))
                .containsExactly("v1 ConfigMap n/c .data.a: chart \"2\", kustomize \"1\"");
    }

    @Test
    void anyOtherLabelCounts() {
        assertThat(ObjectComparison.differences("chart", CONFIG_MAP.formatted(", app.kubernetes.io/version: \"1\"", "1"),
                "kustomize", CONFIG_MAP.formatted("", "1")))
                .containsExactly("v1 ConfigMap n/c .metadata.labels.app.kubernetes.io/version: chart \"1\", kustomize (absent)");
    }

    @Test
    void aMissingOrExtraObjectIsNamed() {
        assertThat(ObjectComparison.differences("chart", CONFIG_MAP.formatted("", "1"),
                "kustomize", POLICY.formatted("")))
                .containsExactly(
                        "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding /p: only in kustomize",
                        "v1 ConfigMap n/c: only in chart");
    }
}
