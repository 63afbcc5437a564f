package io.activemqha.labeler.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.LabelerContract;
import io.activemqha.labeler.testing.Http;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthTest {
    private final AtomicLong clock = new AtomicLong();
    private final LoopHeartbeats heartbeats = new LoopHeartbeats(clock::get);
    private final LabelerMetrics metrics = new LabelerMetrics();

    @Test
    void aLoopThatStopsBeatingFailsLivenessAndIsNamed() throws Exception {
        Heartbeat monitor = heartbeats.register("activity-monitor");
        Heartbeat labels = heartbeats.register("pod-label-loop");
        try (HealthServer server = HealthServer.start(new InetSocketAddress("127.0.0.1", 0), heartbeats, Duration.ofSeconds(30), metrics)) {
            assertThat(Http.get(server.port(), LabelerContract.HEALTH_PATH)).isEqualTo(new Http.Response(200, "ok\n"));

            clock.addAndGet(Duration.ofSeconds(31).toNanos());
            monitor.beat();
            Http.Response wedged = Http.get(server.port(), LabelerContract.HEALTH_PATH);

            assertThat(wedged.status()).isEqualTo(503);
            assertThat(wedged.body()).isEqualTo("wedged: pod-label-loop silent for 31000 ms\n");
            labels.beat();
            assertThat(Http.get(server.port(), LabelerContract.HEALTH_PATH).status()).isEqualTo(200);
        }
    }

    @Test
    void metricsAreServedInPrometheusTextFormatAndOtherRequestsAreRefusedPrecisely() throws Exception {
        metrics.brokerActive(true);
        metrics.leaderLabel(true);
        metrics.promoted(42);
        metrics.demoted(1500);
        metrics.apiError();
        try (HealthServer server = HealthServer.start(new InetSocketAddress("127.0.0.1", 0), heartbeats, Duration.ofSeconds(30), metrics)) {
            Http.Response response = Http.get(server.port(), LabelerContract.METRICS_PATH);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains(
                    "# TYPE activemq_ha_labeler_leader gauge\nactivemq_ha_labeler_leader 1\n",
                    "activemq_ha_labeler_broker_active 1\n",
                    "activemq_ha_labeler_transitions_total{direction=\"promotion\"} 1\n",
                    "activemq_ha_labeler_transitions_total{direction=\"demotion\"} 1\n",
                    "activemq_ha_labeler_last_promotion_latency_seconds 0.042\n",
                    "activemq_ha_labeler_last_demotion_latency_seconds 1.5\n",
                    "activemq_ha_labeler_api_errors_total 1\n");
            assertThat(Http.send(server.port(), LabelerContract.HEALTH_PATH, "POST"))
                    .isEqualTo(new Http.Response(405, "method POST not allowed, use GET\n"));
            assertThat(Http.get(server.port(), "/ready").status()).isEqualTo(404);
        }
    }

    @Test
    void lastApiSuccessIsZeroUntilTheFirstSuccessThenItsWallClockTimeInSeconds() {
        long[] now = {1_780_000_000_250L};
        LabelerMetrics clocked = new LabelerMetrics(() -> now[0]);
        assertThat(clocked.render()).contains("activemq_ha_labeler_api_last_success_timestamp_seconds 0.0\n");

        clocked.apiSucceeded();
        now[0] += 60_000;
        clocked.apiError();

        assertThat(clocked.render()).contains(
                "# TYPE activemq_ha_labeler_api_last_success_timestamp_seconds gauge\n",
                "activemq_ha_labeler_api_last_success_timestamp_seconds 1.78000000025E9\n");
    }

    @Test
    void latencyGaugesAreAbsentUntilTheFirstTransition() {
        assertThat(new LabelerMetrics().render()).doesNotContain("latency_seconds").contains("activemq_ha_labeler_leader 0");
    }
}
