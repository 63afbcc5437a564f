package io.activemqha.cli.status;

import io.activemqha.common.LabelerEvents;
import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Reads a {@link StatusSnapshot} from the API server: list calls only, no watches. */
public final class StatusGatherer {
    private final KubernetesClient client;
    private final Clock clock;

    public StatusGatherer(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public StatusSnapshot gather(String namespace, Optional<String> group) {
        var podQuery = client.pods().inNamespace(namespace);
        List<Pod> pods = group.isPresent()
                ? podQuery.withLabel(Labels.GROUP, group.get()).list().getItems()
                : podQuery.withLabel(Labels.GROUP).list().getItems();
        List<Event> events = client.v1().events().inNamespace(namespace).withField("involvedObject.kind", "Pod")
                .list().getItems().stream()
                .filter(event -> LabelerEvents.REASONS.contains(event.getReason()))
                .toList();
        return new StatusSnapshot(namespace, group, clock.instant(), pods, events,
                client.services().inNamespace(namespace).list().getItems(),
                client.discovery().v1().endpointSlices().inNamespace(namespace).list().getItems());
    }
}
