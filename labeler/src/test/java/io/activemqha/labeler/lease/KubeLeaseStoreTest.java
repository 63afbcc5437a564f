package io.activemqha.labeler.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.labeler.testing.MockApi;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lease records to and from coordination.k8s.io/v1 Leases, with the API's create and conditional-update rules. */
class KubeLeaseStoreTest {
    private final MockApi api = new MockApi();
    private final KubeLeaseStore store = new KubeLeaseStore(api.client(), "activemq");

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aLeaseIsWrittenAndReadBackAsTheRecordItWas() {
        Instant renewed = Instant.parse("2026-11-30T01:02:03.123456Z");
        assertThat(store.create("g", new LeaseRecord("activemq-0", Duration.ofSeconds(15), renewed, 2, null))).isTrue();

        LeaseRecord read = store.read("g").orElseThrow();

        assertThat(read.holder()).isEqualTo("activemq-0");
        assertThat(read.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(read.renewTime()).isEqualTo(renewed);
        assertThat(read.transitions()).isEqualTo(2);
        assertThat(read.resourceVersion()).isNotBlank();
        assertThat(store.read("absent")).isEmpty();
    }

    @Test
    void aSecondCreateAndAStaleUpdateAreRefusedNotApplied() {
        store.create("g", new LeaseRecord("activemq-0", Duration.ofSeconds(15), Instant.now(), 0, null));
        LeaseRecord first = store.read("g").orElseThrow();

        assertThat(store.create("g", new LeaseRecord("activemq-1", Duration.ofSeconds(15), Instant.now(), 0, null)))
                .isFalse();
        assertThat(store.update("g", first.heldBy("activemq-0", Duration.ofSeconds(15), Instant.now(), false, ""))).isTrue();
        assertThat(store.update("g", first.heldBy("activemq-1", Duration.ofSeconds(15), Instant.now(), true, "")))
                .as("written from a read that is no longer current").isFalse();
        assertThat(store.read("g").orElseThrow().holder()).isEqualTo("activemq-0");
    }

    @Test
    void aReleasedLeaseHasNoHolder() {
        store.create("g", new LeaseRecord("activemq-0", Duration.ofSeconds(15), Instant.now(), 0, null));
        assertThat(store.update("g", store.read("g").orElseThrow().released(Instant.now()))).isTrue();

        assertThat(store.read("g").orElseThrow().holder()).isEmpty();
        assertThat(api.client().leases().inNamespace("activemq").withName("g").get().getSpec().getHolderIdentity())
                .isNull();
    }

    @Test
    void aHolderStillToFenceIsKeptInAnAnnotationAcrossAReleaseAndClearedAfter() {
        store.create("g", new LeaseRecord("activemq-0_u0", Duration.ofSeconds(15), Instant.now(), 0, null));
        LeaseRecord first = store.read("g").orElseThrow();
        store.update("g", first.heldBy("activemq-1_u1", Duration.ofSeconds(15), Instant.now(), true, "activemq-0_u0"));
        assertThat(api.client().leases().inNamespace("activemq").withName("g").get().getMetadata().getAnnotations())
                .containsEntry(LeaseRecord.UNFENCED, "activemq-0_u0");

        store.update("g", store.read("g").orElseThrow().released(Instant.now()));
        assertThat(store.read("g").orElseThrow().unfenced()).isEqualTo("activemq-0_u0");

        LeaseRecord released = store.read("g").orElseThrow();
        store.update("g", released.heldBy("activemq-2_u2", Duration.ofSeconds(15), Instant.now(), true, ""));
        assertThat(store.read("g").orElseThrow().unfenced()).isEmpty();
    }

    @Test
    void anUnreachableApiIsAnErrorNamingTheLease() {
        api.stop();

        assertThatThrownBy(() -> store.read("g")).isInstanceOf(LeaseStore.LeaseStoreException.class)
                .hasMessageStartingWith("cannot read Lease activemq/g: ");
    }
}
