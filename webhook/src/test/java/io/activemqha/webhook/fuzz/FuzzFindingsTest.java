package io.activemqha.webhook.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.inject.ManifestException;
import io.activemqha.webhook.inject.ManifestInjector;
import org.junit.jupiter.api.Test;

/** Unit tests pinning the bugs the fuzzers found (their inputs stay in the regression corpus as well). */
class FuzzFindingsTest {
    private final ManifestInjector injector = new ManifestInjector(InjectorConfig.defaults());

    /** Found by ManifestInjectFuzzTest#arbitraryText: "?" is a YAML complex key with a null value, a map with a null key. */
    @Test
    void aDocumentWithANullKeyIsRefusedWithItsLine() {
        assertThatThrownBy(() -> injector.inject("kind: ConfigMap\n---\n\n?\n"))
                .isInstanceOfSatisfying(ManifestException.class, e -> assertThat(e.line()).isEqualTo(2))
                .hasMessageContaining("not a Kubernetes object (it has no JSON form)")
                .hasMessageContaining("Null key");
    }
}
