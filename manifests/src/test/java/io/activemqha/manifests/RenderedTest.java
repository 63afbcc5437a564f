package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The loader rejects what the API server would drop or refuse, so the manifest tests cannot pass on a typo. */
class RenderedTest {
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
              namespace: n
            spec:
              selector:
                matchLabels: {app: d}
              template:
                metadata:
                  labels: {app: d}
                spec:
                  containers:
                    - name: c
                      image: i:1
                      %s
            """;

    @Test
    void loadsKnownKindsAndFields() {
        Rendered rendered = Rendered.load("test", DEPLOYMENT.formatted("imagePullPolicy: IfNotPresent"));

        assertThat(rendered.one(Deployment.class, "d").getSpec().getTemplate().getSpec().getContainers())
                .singleElement().satisfies(c -> assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent"));
    }

    @Test
    void rejectsAMisspeltFieldWithItsPath() {
        assertThatThrownBy(() -> Rendered.load("test", DEPLOYMENT.formatted("readinesProbe: {}")))
                .hasMessageContaining("Deployment/d: unknown field spec.template.spec.containers[0].readinesProbe");
    }

    @Test
    void rejectsAKindTheModelDoesNotKnow() {
        assertThatThrownBy(() -> Rendered.load("test", """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """)).hasMessageContaining("Widget/w (example.com/v1): not a kind of the fabric8 typed model");
    }

    @Test
    void rejectsAnUnknownCertManagerField() {
        assertThatThrownBy(() -> Rendered.load("test", """
                apiVersion: cert-manager.io/v1
                kind: Certificate
                metadata: {name: c, namespace: n}
                spec:
                  secretName: s
                  dnsName: [a.b]
                """)).hasMessageContaining("dnsName");
    }
}
