package io.activemqha.common;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes Events the labeler records on its own pod: their reasons and how their messages name the broker.
 * The labeler writes them and {@code kubectl activemq-ha status} reads them back, so both use this class.
 */
public final class LabelerEvents {
    /** The pod was labeled leader=yes: its broker became the active one. */
    public static final String PROMOTED = "LeaderPromoted";
    /** The pod was labeled leader=no after being leader=yes. */
    public static final String DEMOTED = "LeaderDemoted";
    /** A peer of the group was still leader=yes when this pod's broker became active, and was relabeled. */
    public static final String FENCED = "LeaderFenced";
    /** Every reason, oldest meaning first. */
    public static final List<String> REASONS = List.of(PROMOTED, DEMOTED, FENCED);

    /** The one place the broker text is formatted; {@link #brokerIn} parses it. */
    private static final Pattern BROKER = Pattern.compile("broker (\\S+) \\(id ([^)]+)\\)");

    private LabelerEvents() {
    }

    /** How a broker is named in logs and event messages, e.g. {@code broker b1 (id ID:host-1234-0:1)}. */
    public static String brokerText(String name, String id) {
        return "broker " + name + " (id " + id + ")";
    }

    /**
     * The broker named in an event message.
     *
     * @param name the broker name
     * @param id   the BrokerId the broker announced (OpenWire BrokerInfo)
     */
    public record Broker(String name, String id) {
    }

    /** The broker an event message names, if it names one in {@link #brokerText} form. */
    public static Optional<Broker> brokerIn(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher matcher = BROKER.matcher(message);
        return matcher.find() ? Optional.of(new Broker(matcher.group(1), matcher.group(2))) : Optional.empty();
    }
}
