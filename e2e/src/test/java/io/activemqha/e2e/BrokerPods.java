package io.activemqha.e2e;

import io.activemqha.common.LabelerContract;
import io.activemqha.e2e.failover.PodBroker;
import io.activemqha.e2e.failover.RunningPod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The example's two broker pods as the kubelet runs them, and what their broker logs say about the lock. */
final class BrokerPods {
    static final String BROKER = "activemq";
    static final String LABELER = LabelerContract.CONTAINER_NAME;

    private final List<RunningPod> pods;

    BrokerPods(List<RunningPod> pods) {
        this.pods = List.copyOf(pods);
    }

    List<RunningPod> all() {
        return pods;
    }

    /**
     * The pod whose broker process runs and, since that process started, last announced ACTIVE (holds the KahaDB
     * lock), if any.
     */
    Optional<RunningPod> lockHolder() {
        return pods.stream().filter(pod -> pod.container(BROKER).isRunning())
                .filter(pod -> lastEvent(pod).filter(e -> e.epochMillis() >= pod.container(BROKER).startedAtMillis())
                        .map(e -> e.event().equals(PodBroker.ACTIVE)).orElse(false))
                .findFirst();
    }

    RunningPod other(RunningPod pod) {
        return pods.stream().filter(p -> !p.name().equals(pod.name())).findFirst().orElseThrow();
    }

    /**
     * When the broker's OpenWire connector started accepting, at or after {@code sinceMillis}: the broker's own log
     * line, logged once the lock is held and every connector is up (OpenWire starts last).
     */
    static Optional<Long> acceptingSince(RunningPod pod, long sinceMillis) {
        return lines(pod).stream().filter(line -> line.contains(PodBroker.OPENWIRE_STARTED))
                .map(PodBroker::logTime).flatMap(Optional::stream).filter(t -> t >= sinceMillis).findFirst();
    }

    /** How often the broker reported waiting for the lock as a slave (its log spans restarts). */
    static long slaveAnnouncements(RunningPod pod) {
        return PodBroker.slaveAnnouncements(pod.container(BROKER).log());
    }

    static Optional<PodBroker.BrokerEvent> lastEvent(RunningPod pod) {
        List<PodBroker.BrokerEvent> events = events(pod);
        return events.isEmpty() ? Optional.empty() : Optional.of(events.get(events.size() - 1));
    }

    private static List<PodBroker.BrokerEvent> events(RunningPod pod) {
        return lines(pod).stream().map(PodBroker::parse).filter(Objects::nonNull).toList();
    }

    private static List<String> lines(RunningPod pod) {
        try {
            return Files.exists(pod.container(BROKER).log()) ? Files.readAllLines(pod.container(BROKER).log(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
