package io.activemqha.cli.status;

import io.activemqha.cli.Selectors;
import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LabelerEvents;
import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Computes the {@code status} report from a snapshot; a pure function of it. */
public final class StatusAnalysis {
    /** How many of a group's latest transitions the report keeps. */
    private final int transitionsShown;

    public StatusAnalysis(int transitionsShown) {
        this.transitionsShown = transitionsShown;
    }

    public StatusReport analyse(StatusSnapshot snapshot) {
        Map<String, List<Pod>> byGroup = new TreeMap<>();
        for (Pod pod : snapshot.pods()) {
            String group = Selectors.labels(pod).get(Labels.GROUP);
            if (group != null && snapshot.group().map(group::equals).orElse(true)) {
                byGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(pod);
            }
        }
        List<StatusReport.Group> groups = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        byGroup.forEach((name, pods) -> {
            StatusReport.Group group = group(name, pods, snapshot);
            groups.add(group);
            group.warnings().forEach(w -> warnings.add("group " + name + ": " + w));
        });
        if (byGroup.isEmpty()) {
            warnings.add("no pod labeled " + Labels.GROUP + snapshot.group().map(g -> "=" + g).orElse("")
                    + " in namespace " + snapshot.namespace());
        }
        for (Service service : snapshot.services()) {
            unscopedLeaderSelector(service, snapshot.pods())
                    .ifPresent(w -> warnings.add("service " + service.getMetadata().getName() + ": " + w));
        }
        return new StatusReport(snapshot.namespace(), snapshot.takenAt().toString(), groups, warnings);
    }

    private StatusReport.Group group(String name, List<Pod> pods, StatusSnapshot snapshot) {
        List<Pod> sorted = pods.stream().sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
        List<String> leaders = sorted.stream()
                .filter(p -> Labels.LEADER_YES.equals(Selectors.labels(p).get(Labels.LEADER)))
                .map(p -> p.getMetadata().getName()).toList();
        List<String> warnings = new ArrayList<>();
        if (leaders.isEmpty()) {
            warnings.add("no pod is labeled " + Labels.LEADER + "=" + Labels.LEADER_YES
                    + ": the group's Services route to no broker");
        } else if (leaders.size() > 1) {
            warnings.add(leaders.size() + " pods are labeled " + Labels.LEADER + "=" + Labels.LEADER_YES + " " + leaders
                    + ": clients may reach a standby");
        }
        List<Event> groupEvents = snapshot.events().stream()
                .filter(e -> e.getInvolvedObject() != null
                        && sorted.stream().anyMatch(p -> p.getMetadata().getName().equals(e.getInvolvedObject().getName())))
                // Times have second resolution; the labeler names its Events after the pod and the time in milliseconds, which
                // orders one pod's Events within a second.
                .sorted(Comparator.comparing(StatusAnalysis::eventTime)
                        .thenComparing(e -> e.getMetadata() == null ? "" : e.getMetadata().getName()))
                .toList();
        List<StatusReport.Broker> brokers = new ArrayList<>();
        for (Pod pod : sorted) {
            StatusReport.Broker broker = broker(pod, groupEvents);
            brokers.add(broker);
            if (broker.labeler() == null) {
                warnings.add("pod " + broker.pod() + " has no " + LabelerContract.CONTAINER_NAME
                        + " container: it is never labeled leader=yes");
            } else if (!broker.labeler().ready() && "Running".equals(broker.phase())) {
                warnings.add("pod " + broker.pod() + ": " + LabelerContract.CONTAINER_NAME + " is not ready ("
                        + broker.labeler().state() + ")");
            }
        }
        List<StatusReport.Transition> transitions = groupEvents.stream()
                .skip(Math.max(0, groupEvents.size() - transitionsShown))
                .map(e -> new StatusReport.Transition(eventTime(e), e.getInvolvedObject().getName(), e.getReason(),
                        e.getMessage()))
                .toList();
        List<StatusReport.ServiceRoute> routes = snapshot.services().stream()
                .filter(s -> sorted.stream().anyMatch(p -> Selectors.selectsWhenLeading(s, p)))
                .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
                .map(s -> route(s, snapshot.endpointSlices(), sorted))
                .toList();
        for (StatusReport.ServiceRoute route : routes) {
            if (!route.selector().containsKey(Labels.LEADER)) {
                warnings.add("service " + route.name() + " does not select " + Labels.LEADER + "="
                        + Labels.LEADER_YES + ": it routes to standbys too");
            }
        }
        String leader = leaders.size() == 1 ? leaders.get(0) : null;
        List<String> standbys = sorted.stream().map(p -> p.getMetadata().getName())
                .filter(n -> !leaders.contains(n)).toList();
        return new StatusReport.Group(name, leader, standbys, brokers, transitions, routes, warnings);
    }

    private static StatusReport.Broker broker(Pod pod, List<Event> groupEvents) {
        String name = pod.getMetadata().getName();
        Optional<LabelerEvents.Broker> announced = groupEvents.stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && LabelerEvents.PROMOTED.equals(e.getReason()))
                .reduce((first, second) -> second)
                .flatMap(e -> LabelerEvents.brokerIn(e.getMessage()));
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return new StatusReport.Broker(name, Selectors.labels(pod).get(Labels.LEADER), phase,
                announced.map(LabelerEvents.Broker::name).orElse(null),
                announced.map(LabelerEvents.Broker::id).orElse(null),
                Selectors.annotations(pod).containsKey(Annotations.INJECTED), labeler(pod));
    }

    /** The labeler's status: a regular container, or a native sidecar (an init container). */
    private static StatusReport.Labeler labeler(Pod pod) {
        boolean declared = Stream.concat(pod.getSpec().getContainers().stream(),
                        pod.getSpec().getInitContainers() == null ? Stream.empty() : pod.getSpec().getInitContainers().stream())
                .anyMatch(c -> LabelerContract.CONTAINER_NAME.equals(c.getName()));
        if (!declared) {
            return null;
        }
        Optional<ContainerStatus> status = pod.getStatus() == null ? Optional.empty()
                : Stream.concat(Optional.ofNullable(pod.getStatus().getContainerStatuses()).stream().flatMap(List::stream),
                                Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).stream().flatMap(List::stream))
                        .filter(s -> LabelerContract.CONTAINER_NAME.equals(s.getName()))
                        .findFirst();
        return status.map(s -> new StatusReport.Labeler(Boolean.TRUE.equals(s.getReady()),
                        s.getRestartCount() == null ? 0 : s.getRestartCount(), state(s)))
                .orElse(new StatusReport.Labeler(false, 0, "unknown (no status reported)"));
    }

    private static String state(ContainerStatus status) {
        if (status.getState() == null) {
            return "unknown";
        }
        if (status.getState().getRunning() != null) {
            return "running";
        }
        if (status.getState().getWaiting() != null) {
            return "waiting: " + status.getState().getWaiting().getReason();
        }
        if (status.getState().getTerminated() != null) {
            return "terminated: " + status.getState().getTerminated().getReason();
        }
        return "unknown";
    }

    private static StatusReport.ServiceRoute route(Service service, List<EndpointSlice> slices, List<Pod> pods) {
        List<String> ready = new ArrayList<>();
        List<String> notReady = new ArrayList<>();
        slices.stream()
                .filter(slice -> service.getMetadata().getName().equals(
                        slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get(Selectors.SERVICE_NAME_LABEL)))
                .flatMap(slice -> slice.getEndpoints() == null ? Stream.empty() : slice.getEndpoints().stream())
                .forEach(endpoint -> (isReady(endpoint) ? ready : notReady).add(describe(endpoint)));
        ready.sort(null);
        notReady.sort(null);
        return new StatusReport.ServiceRoute(service.getMetadata().getName(), Selectors.of(service), ready, notReady);
    }

    private static boolean isReady(Endpoint endpoint) {
        // EndpointSlice: a missing ready condition means ready (discovery.k8s.io/v1).
        return endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
    }

    private static String describe(Endpoint endpoint) {
        String addresses = String.join(",", endpoint.getAddresses());
        String pod = endpoint.getTargetRef() == null ? null : endpoint.getTargetRef().getName();
        return pod == null ? addresses : addresses + " (" + pod + ")";
    }

    /**
     * A Service selecting {@code leader=yes} whose selector, without the group label, can pick the leaders of
     * several groups (or of any group: nothing but the leader label), so it routes to more than one broker.
     */
    private static Optional<String> unscopedLeaderSelector(Service service, List<Pod> pods) {
        if (!Selectors.selectsLeader(service) || Selectors.of(service).containsKey(Labels.GROUP)) {
            return Optional.empty();
        }
        if (Selectors.of(service).size() == 1) {
            return Optional.of("selects only " + Labels.LEADER + "=" + Labels.LEADER_YES + ", without "
                    + Labels.GROUP + ": it routes to the leader of every group in the namespace");
        }
        long groups = pods.stream().filter(p -> Selectors.selectsWhenLeading(service, p))
                .map(p -> Selectors.labels(p).get(Labels.GROUP)).filter(Objects::nonNull).distinct().count();
        return groups > 1
                ? Optional.of("selects " + Labels.LEADER + "=" + Labels.LEADER_YES + " without " + Labels.GROUP
                + " and matches pods of " + groups + " groups: it routes to several leaders")
                : Optional.empty();
    }

    /** An Event's time: lastTimestamp for core/v1 Events, eventTime for events.k8s.io ones, else creation. */
    static String eventTime(Event event) {
        if (event.getLastTimestamp() != null) {
            return event.getLastTimestamp();
        }
        if (event.getEventTime() != null && event.getEventTime().getTime() != null) {
            return event.getEventTime().getTime();
        }
        return event.getMetadata() == null || event.getMetadata().getCreationTimestamp() == null ? ""
                : event.getMetadata().getCreationTimestamp();
    }
}
