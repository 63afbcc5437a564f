package io.activemqha.webhook.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.Outcome;
import io.activemqha.webhook.inject.ManifestException;
import io.activemqha.webhook.inject.ManifestInjector;
import org.junit.jupiter.api.Test;

/** Unit tests pinning the bugs the fuzzers found (their inputs stay in the regression corpus as well). */
class FuzzFindingsTest {
    private final ManifestInjector injector = new ManifestInjector(InjectorConfig.defaults());
    private final AdmissionReviewer reviewer = new AdmissionReviewer(InjectorConfig.defaults());

    /** Found by AdmissionReviewFuzzTest#arbitraryBytes: a review without apiVersion threw a NullPointerException. */
    @Test
    void aReviewWithoutApiVersionIsABadRequest() {
        AdmissionResult result = reviewer.review(
                "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u1\"}}".getBytes(StandardCharsets.UTF_8));
        assertThat(result.httpStatus()).isEqualTo(400);
        assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(result.body()).isEqualTo("expected kind AdmissionReview with apiVersion admission.k8s.io/v1 or "
                + "admission.k8s.io/v1beta1, got kind \"AdmissionReview\" apiVersion (none)");
    }

    /** Found by ManifestInjectFuzzTest#arbitraryText: "?" is a YAML complex key with a null value, a map with a null key. */
    @Test
    void aDocumentWithANullKeyIsRefusedWithItsLine() {
        assertThatThrownBy(() -> injector.inject("kind: ConfigMap\n---\n\n?\n"))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.line()).isEqualTo(2))
                .hasMessageContaining("not a Kubernetes object (it has no JSON form)")
                .hasMessageContaining("Null key");
    }

    /** Found by ManifestInjectFuzzTest#mutatedManifests: a !!binary value in a template crashed the diff (zjsonpatch NPE). */
    @Test
    void aTemplateWithABinaryValueIsRefusedNamingWhere() {
        String manifest = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: orders}
                spec:
                  template:
                    metadata:
                      annotations: {activemq-ha: "true", note: !!binary aGVsbG8=}
                    spec:
                      containers: [{name: broker, image: apache/activemq-classic}]
                """;
        assertThatThrownBy(() -> injector.inject(manifest))
                .isInstanceOf(ManifestException.class)
                .hasMessage("line 1: line 1: Deployment orders pod template is not a valid pod: the value at /metadata/annotations/note"
                        + " has no JSON form (e.g. a !!binary scalar); write it as a plain string");
    }

    /** Found by ManifestInjectFuzzTest#arbitraryText (bounded CI run): an empty list entry crashed the injector (NPE). */
    @Test
    void anEmptyContainerEntryIsRefusedNamingWhere() {
        String manifest = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: solo
                  annotations: {activemq-ha: "true"}
                spec:
                  containers:
                  - name: broker
                    image: apache/activemq-classic
                  -
                """;
        assertThatThrownBy(() -> injector.inject(manifest))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("spec.containers[1] is empty: not a valid pod");
    }

    /** The same pod through the webhook: a denial naming the entry, not a 500. */
    @Test
    void anEmptyContainerEntryInAReviewIsDenied() {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"mq","operation":"CREATE",
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"solo","annotations":{"activemq-ha":"true"}},
                           "spec":{"containers":[{"name":"broker","image":"apache/activemq-classic","ports":[null]}]}}}}
                """;
        AdmissionResult result = reviewer.review(review.getBytes(StandardCharsets.UTF_8));
        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.body()).contains("container broker ports[0] is empty: not a valid pod");
    }

    /** Probed after the CI finding: an empty owner reference entry must be denied, not crash group derivation. */
    @Test
    void anEmptyOwnerReferenceIsDenied() {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u3",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"mq","operation":"CREATE",
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"broker-","ownerReferences":[null],
                           "annotations":{"activemq-ha":"true"}},"spec":{"containers":[{"name":"broker"}]}}}}
                """;
        AdmissionResult result = reviewer.review(review.getBytes(StandardCharsets.UTF_8));
        assertThat(result.outcome()).isEqualTo(Outcome.DENIED);
        assertThat(result.body()).contains("metadata.ownerReferences[0] is empty: not a valid pod");
    }
}
