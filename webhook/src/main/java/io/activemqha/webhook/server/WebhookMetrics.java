package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.Outcome;
import io.activemqha.webhook.server.tls.CertificateReloader;
import io.activemqha.webhook.server.tls.TlsCredentials;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The webhook's Prometheus metrics. Every outcome's series exists from the start (at zero), so that
 * {@code rate()} and alerts work before the first admission of each kind.
 */
public final class WebhookMetrics implements CertificateReloader.Listener {
    /** {@code activemq_ha_webhook_admissions_total{outcome}}. */
    public static final String ADMISSIONS = "activemq.ha.webhook.admissions";
    /** {@code activemq_ha_webhook_admission_duration_seconds{outcome}} histogram. */
    public static final String ADMISSION_DURATION = "activemq.ha.webhook.admission.duration";
    /** {@code activemq_ha_webhook_certificate_reloads_total{result=applied|rejected}}. */
    public static final String CERTIFICATE_RELOADS = "activemq.ha.webhook.certificate.reloads";
    /** {@code activemq_ha_webhook_certificate_expiry_timestamp_seconds}: the served leaf's notAfter. */
    public static final String CERTIFICATE_EXPIRY = "activemq.ha.webhook.certificate.expiry.timestamp";
    /** {@code activemq_ha_webhook_rbac_provisions_total{result=applied|failed}}: API round trips, not cache hits. */
    public static final String RBAC_PROVISIONS = "activemq.ha.webhook.rbac.provisions";

    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<Outcome, Counter> admissions = new EnumMap<>(Outcome.class);
    private final Map<Outcome, Timer> durations = new EnumMap<>(Outcome.class);
    private final Counter reloadsApplied;
    private final Counter reloadsRejected;
    private final Counter rbacApplied;
    private final Counter rbacFailed;
    private final AtomicLong certificateExpiry = new AtomicLong();

    public WebhookMetrics() {
        for (Outcome outcome : Outcome.values()) {
            admissions.put(outcome, Counter.builder(ADMISSIONS)
                    .description("Admission requests answered, by outcome")
                    .tag("outcome", outcome.label())
                    .register(registry));
            durations.put(outcome, Timer.builder(ADMISSION_DURATION)
                    .description("Time from receiving an admission request body to sending the answer")
                    .tag("outcome", outcome.label())
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry));
        }
        reloadsApplied = reloads("applied");
        reloadsRejected = reloads("rejected");
        rbacApplied = rbac("applied");
        rbacFailed = rbac("failed");
        Gauge.builder(CERTIFICATE_EXPIRY, certificateExpiry, AtomicLong::get)
                .description("Expiry (notAfter) of the served TLS certificate, Unix seconds")
                .baseUnit("seconds")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Counts one answered admission and its latency. */
    public void admission(Outcome outcome, long durationNanos) {
        admissions.get(outcome).increment();
        durations.get(outcome).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one RBAC provisioning round trip to the API server. */
    public void rbacProvisioned(boolean succeeded) {
        (succeeded ? rbacApplied : rbacFailed).increment();
    }

    /** Records the certificate now being served. */
    public void certificateServed(TlsCredentials credentials) {
        certificateExpiry.set(credentials.notAfter().getEpochSecond());
    }

    @Override
    public void applied(TlsCredentials credentials) {
        reloadsApplied.increment();
        certificateServed(credentials);
    }

    @Override
    public void rejected(String reason) {
        reloadsRejected.increment();
    }

    /** The Prometheus text exposition (format 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    private Counter reloads(String result) {
        return Counter.builder(CERTIFICATE_RELOADS)
                .description("Changes of the TLS certificate files, by whether they were applied")
                .tag("result", result)
                .register(registry);
    }

    private Counter rbac(String result) {
        return Counter.builder(RBAC_PROVISIONS)
                .description("Server-side applies of the labeler's ServiceAccount and RoleBinding, by result")
                .tag("result", result)
                .register(registry);
    }
}
