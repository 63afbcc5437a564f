package io.activemqha.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code target/lease-failover.json}: the lease example's settings, every lease scenario's figures (in the order they
 * ran, each with its form and repeat), and the clients' counts of each phase (one example deployment and its client
 * traffic). Shared by RealNodeIT's lease tests, each of which writes it when it ends.
 */
final class LeaseReport {
    private final LeaseFailover.Settings settings;
    private final int repeats;
    private final List<Map<String, Object>> scenarios = new ArrayList<>();
    private final Map<String, Map<String, Object>> phases = new LinkedHashMap<>();

    LeaseReport(LeaseFailover.Settings settings, int repeats) {
        this.settings = settings;
        this.repeats = repeats;
    }

    LeaseFailover.Settings settings() {
        return settings;
    }

    synchronized void add(Map<String, Object> scenario) {
        scenarios.add(scenario);
    }

    /** The clients of one phase: acknowledged, lost and duplicated per protocol, and the phase's minutes. */
    synchronized void addPhase(String phase, ClientTraffic traffic, long startedMillis) {
        Map<String, Object> clients = new LinkedHashMap<>();
        traffic.ledgers().forEach((protocol, book) -> clients.put(protocol, Map.of("acknowledged",
                book.acknowledgedCount(), "lost", book.lost(), "duplicates", book.duplicates())));
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("duration_ms", System.currentTimeMillis() - startedMillis);
        figures.put("lost_messages", traffic.ledgers().values().stream().mapToLong(MessageLedger::lost).sum());
        figures.put("duplicates", traffic.ledgers().values().stream().mapToLong(MessageLedger::duplicates).sum());
        figures.put("clients", clients);
        phases.put(phase, figures);
    }

    synchronized void write(Path target) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("lease_duration_ms", settings.durationMs());
        config.put("lock_keep_alive_period_ms", settings.keepAliveMs());
        config.put("lock_acquire_sleep_interval_ms", settings.acquireMs());
        config.put("request_timeout_ms", settings.requestTimeoutMs());
        config.put("safety_margin_ms", settings.marginMs());
        config.put("kubelet_relist_ms", LeaseFailover.KUBELET_RELIST_MS);
        config.put("labeler_recheck_ms", LeaseFailover.LABELER_RECHECK_MS);
        config.put("sample_period_ms", MasterSampler.PERIOD_MS);
        config.put("sample_transports", MasterSampler.TRANSPORTS);
        config.put("repeats", repeats);
        report.put("settings", config);
        report.put("scenarios", scenarios);
        report.put("lost_messages", phases.values().stream().mapToLong(p -> (long) p.get("lost_messages")).sum());
        report.put("duplicates", phases.values().stream().mapToLong(p -> (long) p.get("duplicates")).sum());
        report.put("phases", phases);
        Files.writeString(target.resolve("lease-failover.json"),
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
    }
}
