package io.activemqha.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.LabelerEvents;
import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusAnalysisTest {
    private static final String NS = "mq";
    private final StatusAnalysis analysis = new StatusAnalysis(6);

    @Test
    void reportsTheLeaderItsBrokerTheStandbyTheTransitionsAndTheServiceEndpoints() {
        StatusSnapshot snapshot = snapshot(List.of(pod("a-0", "g1", "no", true), pod("a-1", "g1", "yes", true)),
                List.of(event("a-0", LabelerEvents.PROMOTED, "2026-01-01T10:00:00Z", "b0", "ID:a0-1"),
                        event("a-0", LabelerEvents.DEMOTED, "2026-01-01T10:05:00Z", null, null),
                        event("a-1", LabelerEvents.PROMOTED, "2026-01-01T10:05:01Z", "b1", "ID:a1-1")),
                List.of(service("mq", Map.of("app", "mq", Labels.LEADER, Labels.LEADER_YES))),
                List.of(slice("mq", "10.0.0.2", "a-1", true)));

        StatusReport report = analysis.analyse(snapshot);

        assertThat(report.warnings()).isEmpty();
        assertThat(report.healthy()).isTrue();
        StatusReport.Group group = report.groups().get(0);
        assertThat(group.name()).isEqualTo("g1");
        assertThat(group.leader()).isEqualTo("a-1");
        assertThat(group.standbys()).containsExactly("a-0");
        assertThat(group.pods()).extracting(StatusReport.Broker::pod, StatusReport.Broker::brokerName,
                        StatusReport.Broker::brokerId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a-0", "b0", "ID:a0-1"),
                        org.assertj.core.groups.Tuple.tuple("a-1", "b1", "ID:a1-1"));
        assertThat(group.pods().get(1).labeler()).isEqualTo(new StatusReport.Labeler(true, 0, "running"));
        assertThat(group.transitions()).extracting(StatusReport.Transition::pod, StatusReport.Transition::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a-0", LabelerEvents.PROMOTED),
                        org.assertj.core.groups.Tuple.tuple("a-0", LabelerEvents.DEMOTED),
                        org.assertj.core.groups.Tuple.tuple("a-1", LabelerEvents.PROMOTED));
        assertThat(group.services()).singleElement().satisfies(route -> {
            assertThat(route.name()).isEqualTo("mq");
            assertThat(route.readyEndpoints()).containsExactly("10.0.0.2 (a-1)");
        });
    }

    @Test
    void warnsWhenAGroupHasNoLeaderOrTwo() {
        StatusReport none = analysis.analyse(snapshot(List.of(pod("a-0", "g1", "no", true), pod("a-1", "g1", "no", true)),
                List.of(), List.of(), List.of()));
        StatusReport two = analysis.analyse(snapshot(List.of(pod("a-0", "g1", "yes", true), pod("a-1", "g1", "yes", true)),
                List.of(), List.of(), List.of()));

        assertThat(none.groups().get(0).leader()).isNull();
        assertThat(none.warnings()).singleElement().asString().contains("group g1", "no pod is labeled leader=yes");
        assertThat(two.groups().get(0).leader()).isNull();
        assertThat(two.warnings()).singleElement().asString().contains("2 pods are labeled leader=yes [a-0, a-1]");
    }

    @Test
    void warnsOfAServiceThatSelectsLeaderYesWithoutTheGroup() {
        List<Pod> pods = List.of(pod("a-0", "g1", "yes", true), pod("b-0", "g2", "yes", true));
        StatusReport onlyLeader = analysis.analyse(snapshot(pods, List.of(),
                List.of(service("any", Map.of(Labels.LEADER, Labels.LEADER_YES))), List.of()));
        StatusReport scoped = analysis.analyse(snapshot(pods, List.of(),
                List.of(service("g1", Map.of(Labels.GROUP, "g1", Labels.LEADER, Labels.LEADER_YES))), List.of()));

        assertThat(onlyLeader.warnings()).singleElement().asString()
                .contains("service any", "without " + Labels.GROUP);
        assertThat(scoped.warnings()).isEmpty();
        assertThat(scoped.groups()).filteredOn(g -> g.name().equals("g1")).singleElement()
                .satisfies(g -> assertThat(g.services()).extracting(StatusReport.ServiceRoute::name).containsExactly("g1"));
        assertThat(scoped.groups()).filteredOn(g -> g.name().equals("g2")).singleElement()
                .satisfies(g -> assertThat(g.services()).isEmpty());
    }

    @Test
    void aPodWithoutTheLabelerAndANotReadyLabelerAreWarnedOf() {
        StatusReport report = analysis.analyse(snapshot(List.of(pod("a-0", "g1", "yes", false),
                pod("a-1", "g1", "no", true, false)), List.of(), List.of(), List.of()));

        assertThat(report.groups().get(0).pods().get(0).labeler()).isNull();
        assertThat(report.warnings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("a-0 has no leader-labeler container"))
                .anySatisfy(w -> assertThat(w).contains("a-1: leader-labeler is not ready"));
    }

    @Test
    void transitionsInOneSecondKeepTheOrderOfTheLabelersEventNames() {
        Event promoted = new EventBuilder(event("a-0", LabelerEvents.PROMOTED, "2026-01-01T10:00:00Z", "b0", "ID:1"))
                .editMetadata().withName("a-0.18d0b5e2a4f3e9").endMetadata().build();
        Event demoted = new EventBuilder(event("a-0", LabelerEvents.DEMOTED, "2026-01-01T10:00:00Z", null, null))
                .editMetadata().withName("a-0.18d0b5e2a4f3ea").endMetadata().build();

        StatusReport report = analysis.analyse(snapshot(List.of(pod("a-0", "g1", "no", true)), List.of(demoted, promoted),
                List.of(), List.of()));

        assertThat(report.groups().get(0).transitions()).extracting(StatusReport.Transition::reason)
                .containsExactly(LabelerEvents.PROMOTED, LabelerEvents.DEMOTED);
    }

    @Test
    void anEmptyNamespaceIsWarnedOf() {
        assertThat(analysis.analyse(snapshot(List.of(), List.of(), List.of(), List.of())).warnings())
                .singleElement().asString().contains("no pod labeled " + Labels.GROUP);
    }

    static StatusSnapshot snapshot(List<Pod> pods, List<Event> events, List<Service> services, List<EndpointSlice> slices) {
        return new StatusSnapshot(NS, Optional.empty(), Instant.parse("2026-01-01T11:00:00Z"), pods, events, services,
                slices);
    }

    static Pod pod(String name, String group, String leader, boolean injected) {
        return pod(name, group, leader, injected, true);
    }

    static Pod pod(String name, String group, String leader, boolean injected, boolean labelerReady) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("app", "mq").addToLabels(Labels.GROUP, group).addToLabels(Labels.LEADER, leader)
                .addToAnnotations(Annotations.ENABLED, "true").endMetadata()
                .withNewSpec().addNewContainer().withName("broker").endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        if (injected) {
            builder.editMetadata().addToAnnotations(Annotations.INJECTED, "0.1.0").endMetadata()
                    .editSpec().addNewContainer().withName(LabelerContract.CONTAINER_NAME).endContainer().endSpec()
                    .editStatus().addNewContainerStatus().withName(LabelerContract.CONTAINER_NAME).withReady(labelerReady)
                    .withRestartCount(0).withNewState().withNewRunning().endRunning().endState().endContainerStatus()
                    .endStatus();
        }
        return builder.build();
    }

    static Event event(String pod, String reason, String time, String broker, String id) {
        String message = reason + " pod " + pod + (broker == null ? ", no broker" : ", " + LabelerEvents.brokerText(broker, id));
        return new EventBuilder().withNewMetadata().withName(pod + "." + time).withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName(pod).withNamespace(NS).endInvolvedObject()
                .withReason(reason).withMessage(message).withType("Normal").withLastTimestamp(time).build();
    }

    static Service service(String name, Map<String, String> selector) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(selector).endSpec().build();
    }

    static EndpointSlice slice(String service, String address, String pod, boolean ready) {
        return new EndpointSliceBuilder().withNewMetadata().withName(service + "-x").withNamespace(NS)
                .addToLabels(io.activemqha.cli.Selectors.SERVICE_NAME_LABEL, service).endMetadata()
                .addNewEndpoint().withAddresses(address).withNewConditions().withReady(ready).endConditions()
                .withNewTargetRef().withKind("Pod").withName(pod).endTargetRef().endEndpoint().build();
    }
}
