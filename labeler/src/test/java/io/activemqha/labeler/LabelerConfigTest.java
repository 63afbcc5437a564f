package io.activemqha.labeler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.LeaseContract;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelerConfigTest {
    private static final Map<String, String> WEBHOOK_ENV = Map.of("POD_NAME", "broker-0", "POD_NAMESPACE", "mq");

    @Test
    void webhookEnvAloneGivesTheDocumentedDefaults() {
        LabelerConfig c = LabelerConfig.resolve(WEBHOOK_ENV, Map.of());

        assertThat(c.podName()).isEqualTo("broker-0");
        assertThat(c.namespace()).isEqualTo("mq");
        assertThat(c.brokerUrl()).isEqualTo(URI.create("tcp://localhost:61616"));
        assertThat(c.healthPort()).isEqualTo(8099);
        assertThat(c.probeInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.connectInterval()).isEqualTo(Duration.ofMillis(25));
        assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.leaseMode()).as("shared-file locker unless the webhook says otherwise").isFalse();
    }

    @Test
    void theWebhooksLeaseEnvTurnsOnLeaseMode() {
        Map<String, String> env = new HashMap<>(WEBHOOK_ENV);
        env.put(LeaseContract.ENV_LEASE_GROUP, "activemq");
        LabelerConfig c = LabelerConfig.resolve(env, Map.of());
        assertThat(c.lease()).isEqualTo(new LabelerConfig.LeaseSettings("activemq", Duration.ofSeconds(10)));
        assertThat(c.lease().leaseName()).isEqualTo("activemq-ha-activemq");

        env.put(LeaseContract.ENV_LEASE_DURATION, "20s");
        assertThat(LabelerConfig.resolve(env, Map.of()).lease().duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(LabelerConfig.resolve(env, Map.of(LeaseContract.ENV_LEASE_DURATION, "5s")).lease().duration())
                .as("flag over env").isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> LabelerConfig.resolve(env, Map.of(LeaseContract.ENV_LEASE_DURATION, "1500ms")))
                .hasMessage("LEASE_DURATION: expected whole seconds such as 10s (from 3s to 300s), got '1500ms'");
    }

    @Test
    void inLeaseModeTheHealthPortLeavesRoomForTheLeasePort() {
        Map<String, String> env = new HashMap<>(WEBHOOK_ENV);
        env.put(LabelerContract.ENV_HEALTH_PORT, "65535");
        assertThat(LabelerConfig.resolve(env, Map.of()).healthPort()).as("shared-file locker: no lease port").isEqualTo(65535);

        env.put(LeaseContract.ENV_LEASE_GROUP, "activemq");
        assertThatThrownBy(() -> LabelerConfig.resolve(env, Map.of())).hasMessage("HEALTH_PORT: at most 65534 in lease"
                + " mode (the lease endpoint listens on the next port, ACTIVEMQ_HA_LEASE_URL of the broker), got 65535");
        assertThat(LabelerConfig.resolve(env, Map.of(LabelerContract.ENV_HEALTH_PORT, "65534")).healthPort()).isEqualTo(65534);
    }

    @Test
    void flagsOverrideEnv() {
        Map<String, String> env = new HashMap<>(WEBHOOK_ENV);
        env.put("BROKER_URL", "tcp://localhost:1");
        env.put("HEALTH_PORT", "9000");

        LabelerConfig c = LabelerConfig.resolve(env, Map.of("BROKER_URL", "stomp://127.0.0.1:61613", "PROBE_INTERVAL", "100ms"));

        assertThat(c.brokerUrl()).isEqualTo(URI.create("stomp://127.0.0.1:61613"));
        assertThat(c.healthPort()).isEqualTo(9000);
        assertThat(c.probeInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void invalidSettingsAreNamedPrecisely() {
        assertThatThrownBy(() -> LabelerConfig.resolve(Map.of("POD_NAMESPACE", "mq"), Map.of()))
                .hasMessage("POD_NAME is required (the webhook sets it from the downward API)");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("HEALTH_PORT", "http")))
                .hasMessage("HEALTH_PORT: expected a port number 1-65535, got 'http'");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("HEALTH_PORT", "70000")))
                .hasMessage("HEALTH_PORT: expected a port number 1-65535, got 70000");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("BROKER_URL", "failover:(tcp://a:61616)")))
                .hasMessageStartingWith("BROKER_URL: expected scheme://host:port");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("BROKER_URL", "amqp://localhost:5672")))
                .hasMessageStartingWith("BROKER_URL: unsupported scheme 'amqp'");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("PROBE_INTERVAL", "fast")))
                .hasMessage("PROBE_INTERVAL: expected a duration like 250ms, 1s or 2m, got 'fast'");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("PROBE_INTERVAL", "0ms")))
                .hasMessageStartingWith("PROBE_INTERVAL: must be a positive duration");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("INACTIVITY_TIMEOUT", "1s")))
                .hasMessage("INACTIVITY_TIMEOUT (1s) must be longer than HANDSHAKE_TIMEOUT (1s)");
    }

    @Test
    void connectIntervalFromEnvOrFlagWithinItsBounds() {
        Map<String, String> env = new HashMap<>(WEBHOOK_ENV);
        env.put("CONNECT_INTERVAL", "50ms");
        assertThat(LabelerConfig.resolve(env, Map.of()).connectInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(LabelerConfig.resolve(env, Map.of("CONNECT_INTERVAL", "5ms")).connectInterval())
                .as("flag over env, the floor itself is allowed").isEqualTo(Duration.ofMillis(5));
        assertThat(LabelerConfig.resolve(WEBHOOK_ENV, Map.of("CONNECT_INTERVAL", "1s", "PROBE_INTERVAL", "1s")).connectInterval())
                .as("as long as the probe interval").isEqualTo(Duration.ofSeconds(1));

        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("CONNECT_INTERVAL", "soon")))
                .hasMessage("CONNECT_INTERVAL: expected a duration like 250ms, 1s or 2m, got 'soon'");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("CONNECT_INTERVAL", "0ms")))
                .hasMessageStartingWith("CONNECT_INTERVAL: must be a positive duration");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("CONNECT_INTERVAL", "4ms")))
                .hasMessage("CONNECT_INTERVAL (4ms) must be at least 5ms");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("CONNECT_INTERVAL", "300ms")))
                .hasMessage("CONNECT_INTERVAL (300ms) must not be longer than PROBE_INTERVAL (250ms)");
        assertThatThrownBy(() -> LabelerConfig.resolve(WEBHOOK_ENV, Map.of("PROBE_INTERVAL", "20ms")))
                .as("a shorter probe interval needs a connect interval to match")
                .hasMessage("CONNECT_INTERVAL (25ms) must not be longer than PROBE_INTERVAL (20ms)");
    }

    @Test
    void durationsRoundTrip() {
        assertThat(Durations.parse("X", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("X", "2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(30))).isEqualTo("30s");
    }
}
