package io.activemqha.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaseContractTest {
    @Test
    void leaseDurationsAreWholeSecondsWithinBounds() {
        assertThat(LeaseContract.parseDuration(LeaseContract.DEFAULT_LEASE_DURATION)).isEqualTo(Duration.ofSeconds(10));
        assertThat(LeaseContract.parseDuration(" 3s ")).isEqualTo(LeaseContract.MIN_LEASE_DURATION);
        assertThat(LeaseContract.parseDuration("300s")).isEqualTo(LeaseContract.MAX_LEASE_DURATION);
        for (String bad : new String[] {"2s", "301s", "1500ms", "1m", "10", "", "-5s", "ten"}) {
            assertThatThrownBy(() -> LeaseContract.parseDuration(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(() -> LeaseContract.parseDuration(null)).hasMessageContaining("whole seconds");
    }

    @Test
    void theLockerUrlPointsAtTheLeasePortOnLoopbackTheOneAfterTheHealthPort() {
        assertThat(LeaseContract.leasePort(LabelerContract.DEFAULT_HEALTH_PORT)).isEqualTo(8100);
        assertThat(LeaseContract.leasePort(9000)).isEqualTo(9001);
        assertThat(LeaseContract.leaseUrl(8099)).isEqualTo("http://127.0.0.1:8100/lease").isEqualTo(LeaseContract.DEFAULT_LEASE_URL);
        assertThat(LeaseContract.leaseUrl(65534)).isEqualTo("http://127.0.0.1:65535/lease");
        assertThat(LeaseContract.leaseName("broker")).isEqualTo("activemq-ha-broker");
    }

    @Test
    void aHolderIsThePodsNameAndUidWhichReadBack() {
        String holder = LeaseContract.holderIdentity("activemq-0", "6f1c2a9e-0b7d-4c55-9a1e-3d2f8e7c1b40");

        assertThat(holder).isEqualTo("activemq-0_6f1c2a9e-0b7d-4c55-9a1e-3d2f8e7c1b40");
        assertThat(LeaseContract.podNameOf(holder)).isEqualTo("activemq-0");
        assertThat(LeaseContract.podUidOf(holder)).isEqualTo("6f1c2a9e-0b7d-4c55-9a1e-3d2f8e7c1b40");
    }

    @Test
    void aHolderWithoutUidIsAPodNameAlone() {
        // A Lease written before holders carried the UID, or by something else.
        assertThat(LeaseContract.podNameOf("activemq-0")).isEqualTo("activemq-0");
        assertThat(LeaseContract.podUidOf("activemq-0")).isEmpty();
        assertThat(LeaseContract.podNameOf("")).isEmpty();
        assertThat(LeaseContract.podUidOf("")).isEmpty();
        assertThat(LeaseContract.podUidOf("activemq-0_")).as("a separator and nothing after it").isEmpty();
    }
}
