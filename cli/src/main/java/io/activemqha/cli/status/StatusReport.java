package io.activemqha.cli.status;

import java.util.List;
import java.util.Map;

/**
 * The {@code status} report, printed as text or JSON.
 *
 * @param namespace the namespace reported on
 * @param takenAt   when the cluster was read (ISO-8601)
 * @param groups    every HA group found, by name
 * @param warnings  every group's warnings and the namespace's own, one line each
 */
public record StatusReport(String namespace, String takenAt, List<Group> groups, List<String> warnings) {
    public StatusReport {
        groups = List.copyOf(groups);
        warnings = List.copyOf(warnings);
    }

    public boolean healthy() {
        return warnings.isEmpty();
    }

    /**
     * One HA group: the pods sharing one store.
     *
     * @param leader      the pod labeled leader=yes, or null when none or several are
     * @param standbys    the other pods
     * @param transitions the latest labeler Events of the group's pods, newest last
     */
    public record Group(String name, String leader, List<String> standbys, List<Broker> pods,
                        List<Transition> transitions, List<ServiceRoute> services, List<String> warnings) {
        public Group {
            standbys = List.copyOf(standbys);
            pods = List.copyOf(pods);
            transitions = List.copyOf(transitions);
            services = List.copyOf(services);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * One broker pod.
     *
     * @param leaderLabel the pod's leader label (yes, no, or null when unlabeled)
     * @param phase       the pod phase
     * @param brokerName  the broker the labeler last announced for this pod (from its latest LeaderPromoted Event), or
     *                    null when it never led while Events were kept
     * @param brokerId    the BrokerId announced with it, or null
     * @param labeler     the injected leader-labeler container, or null when the pod has none
     */
    public record Broker(String pod, String leaderLabel, String phase, String brokerName, String brokerId,
                         boolean injected, Labeler labeler) {
    }

    /**
     * The leader-labeler container's state as the kubelet reports it.
     *
     * @param ready    the kubelet's readiness (the labeler's health endpoint answers)
     * @param restarts its restart count
     * @param state    running, waiting (with reason), terminated (with reason), or unknown
     */
    public record Labeler(boolean ready, int restarts, String state) {
    }

    /** A labeler Event: a promotion, demotion or fence of {@code pod}. */
    public record Transition(String time, String pod, String reason, String message) {
    }

    /**
     * A Service that selects the group's leader, with its current endpoints (EndpointSlices).
     *
     * @param readyEndpoints    addresses (with the pod name when known) serving now
     * @param notReadyEndpoints addresses listed but not ready
     */
    public record ServiceRoute(String name, Map<String, String> selector, List<String> readyEndpoints,
                               List<String> notReadyEndpoints) {
        public ServiceRoute {
            selector = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(selector));
            readyEndpoints = List.copyOf(readyEndpoints);
            notReadyEndpoints = List.copyOf(notReadyEndpoints);
        }
    }
}
