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
    void theLockerUrlPointsAtTheLabelersHealthPortOnLoopback() {
        assertThat(LeaseContract.leaseUrl(8099)).isEqualTo("http://127.0.0.1:8099/lease").isEqualTo(LeaseContract.DEFAULT_LEASE_URL);
        assertThat(LeaseContract.leaseName("broker")).isEqualTo("activemq-ha-broker");
    }
}
