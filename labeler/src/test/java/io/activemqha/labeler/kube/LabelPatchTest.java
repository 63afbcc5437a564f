package io.activemqha.labeler.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

class LabelPatchTest {
    @Test
    void patchesOnlyTheLeaderLabel() {
        assertThat(LabelPatch.leader("yes")).isEqualTo("{\"metadata\":{\"labels\":{\"leader\":\"yes\"}}}");
        assertThat(LabelPatch.leaderIfUnchanged("no", "42"))
                .isEqualTo("{\"metadata\":{\"resourceVersion\":\"42\",\"labels\":{\"leader\":\"no\"}}}");
    }

    @Test
    void olderObservationsAreRecognisedByResourceVersion() {
        Pod v5 = new PodBuilder().withNewMetadata().withResourceVersion("5").endMetadata().build();
        Pod v12 = new PodBuilder().withNewMetadata().withResourceVersion("12").endMetadata().build();
        Pod opaque = new PodBuilder().withNewMetadata().withResourceVersion("abc").endMetadata().build();

        assertThat(PodLabelReconciler.isOlder(v5, v12)).isTrue();
        assertThat(PodLabelReconciler.isOlder(v12, v5)).isFalse();
        assertThat(PodLabelReconciler.isOlder(opaque, v5)).isFalse();
    }
}
