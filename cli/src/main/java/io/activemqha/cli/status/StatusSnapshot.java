package io.activemqha.cli.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@code status} reads from one namespace, at one moment; {@link StatusAnalysis} turns it into the report.
 *
 * @param namespace      the namespace read
 * @param group          the group asked for, or empty for every group
 * @param takenAt        when it was read
 * @param pods           the pods labeled {@link io.activemqha.common.Labels#GROUP}
 * @param events         the labeler's Events ({@link io.activemqha.common.LabelerEvents#REASONS}) on pods
 * @param services       every Service of the namespace
 * @param endpointSlices every EndpointSlice of the namespace
 */
public record StatusSnapshot(String namespace, Optional<String> group, Instant takenAt, List<Pod> pods,
                             List<Event> events, List<Service> services, List<EndpointSlice> endpointSlices) {
    public StatusSnapshot {
        pods = List.copyOf(pods);
        events = List.copyOf(events);
        services = List.copyOf(services);
        endpointSlices = List.copyOf(endpointSlices);
    }
}
