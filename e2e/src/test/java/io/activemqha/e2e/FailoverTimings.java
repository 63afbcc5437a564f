package io.activemqha.e2e;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One failover, in milliseconds after the SIGKILL of the active broker.
 *
 * @param standbyActiveMs the standby broker accepts OpenWire (its own record, once it holds the lock)
 * @param labeledMs       its pod is seen labeled leader=yes (watch)
 * @param endpointsMs     the Service's EndpointSlices hold only its address (watch)
 * @param clientOkMs      the first OpenWire send and receive through the resolved endpoint succeeded
 */
record FailoverTimings(long standbyActiveMs, long labeledMs, long endpointsMs, long clientOkMs) {
    /**
     * The timings file: {@code {"failovers": [...], "lost_messages": N, "duplicates": N}}, the counts summed over
     * every client's ledger (the failover probes and the protocol clients).
     */
    static String json(List<FailoverTimings> failovers, java.util.Collection<MessageLedger> ledgers) {
        return failovers.stream().map(t -> String.format(
                        "    {\"standby_active_ms\": %d, \"labeled_ms\": %d, \"endpoints_ms\": %d, \"client_ok_ms\": %d}",
                        t.standbyActiveMs, t.labeledMs, t.endpointsMs, t.clientOkMs))
                .collect(Collectors.joining(",\n", "{\n  \"failovers\": [\n", "\n  ],\n"))
                + "  \"lost_messages\": " + ledgers.stream().mapToLong(MessageLedger::lost).sum()
                + ",\n  \"duplicates\": " + ledgers.stream().mapToLong(MessageLedger::duplicates).sum() + "\n}\n";
    }
}
