package io.activemqha.labeler.health;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The labeler's counters and gauges, rendered in the Prometheus text exposition format. */
public final class LabelerMetrics {
    private final LongSupplier epochMillis;
    private final AtomicLong brokerActive = new AtomicLong();
    private final AtomicLong leader = new AtomicLong();
    private final AtomicLong promotions = new AtomicLong();
    private final AtomicLong demotions = new AtomicLong();
    private final AtomicLong fenced = new AtomicLong();
    private final AtomicLong apiErrors = new AtomicLong();
    private final AtomicLong lastPromotionMillis = new AtomicLong(-1);
    private final AtomicLong lastDemotionMillis = new AtomicLong(-1);
    private final AtomicLong lastApiSuccessMillis = new AtomicLong();

    public LabelerMetrics() {
        this(System::currentTimeMillis);
    }

    /** @param epochMillis wall clock of {@link #apiSucceeded()}: the gauge is compared with Prometheus' {@code time()} */
    public LabelerMetrics(LongSupplier epochMillis) {
        this.epochMillis = epochMillis;
    }

    public void brokerActive(boolean active) {
        brokerActive.set(active ? 1 : 0);
    }

    /** The own pod's label now is {@code leader=yes} ({@code true}) or {@code no}. */
    public void leaderLabel(boolean yes) {
        leader.set(yes ? 1 : 0);
    }

    public void promoted(long detectionToLabelMillis) {
        promotions.incrementAndGet();
        lastPromotionMillis.set(detectionToLabelMillis);
    }

    public void demoted(long detectionToLabelMillis) {
        demotions.incrementAndGet();
        lastDemotionMillis.set(detectionToLabelMillis);
    }

    public void fencedPeer() {
        fenced.incrementAndGet();
    }

    public void apiError() {
        apiErrors.incrementAndGet();
    }

    /**
     * The label loop just completed a Kubernetes API call. Errors alone cannot tell a labeler that cannot reach the
     * API server from one that is not trying (back-off, a hung call): the age of the last success can.
     */
    public void apiSucceeded() {
        lastApiSuccessMillis.set(epochMillis.getAsLong());
    }

    /** Prometheus text format 0.0.4. */
    public String render() {
        StringBuilder out = new StringBuilder(1024);
        gauge(out, "activemq_ha_labeler_broker_active", "1 while the local broker completes the protocol handshake", brokerActive.get());
        gauge(out, "activemq_ha_labeler_leader", "1 while the own pod is labeled leader=yes", leader.get());
        out.append("# HELP activemq_ha_labeler_transitions_total Label changes of the own pod, by direction\n")
                .append("# TYPE activemq_ha_labeler_transitions_total counter\n")
                .append("activemq_ha_labeler_transitions_total{direction=\"promotion\"} ").append(promotions.get()).append('\n')
                .append("activemq_ha_labeler_transitions_total{direction=\"demotion\"} ").append(demotions.get()).append('\n');
        counter(out, "activemq_ha_labeler_fenced_total", "Peer pods demoted because they were still labeled leader=yes", fenced.get());
        counter(out, "activemq_ha_labeler_api_errors_total", "Failed Kubernetes API calls of the label loop", apiErrors.get());
        // 0 until the first success, the Prometheus convention for "never".
        out.append("# HELP activemq_ha_labeler_api_last_success_timestamp_seconds"
                        + " Unix time of the label loop's last successful Kubernetes API call, 0 before the first\n")
                .append("# TYPE activemq_ha_labeler_api_last_success_timestamp_seconds gauge\n")
                .append("activemq_ha_labeler_api_last_success_timestamp_seconds ")
                .append(lastApiSuccessMillis.get() / 1000.0).append('\n');
        seconds(out, "activemq_ha_labeler_last_promotion_latency_seconds",
                "Detection of the active broker to leader=yes patched, last promotion", lastPromotionMillis.get());
        seconds(out, "activemq_ha_labeler_last_demotion_latency_seconds",
                "Detection of the inactive broker to leader=no patched, last demotion", lastDemotionMillis.get());
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append(' ').append(value).append('\n');
    }

    private static void seconds(StringBuilder out, String name, String help, long millis) {
        if (millis < 0) {
            return;
        }
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(millis / 1000.0).append('\n');
    }
}
