package io.activemqha.labeler.probe;

import io.activemqha.common.LabelerEvents;

/**
 * Who answered a probe: the broker name and the BrokerId it announced (OpenWire BrokerInfo), or what the
 * protocol offers instead (STOMP has no broker id: {@link #UNKNOWN} fields).
 */
public record BrokerIdentity(String name, String id) {
    public static final String UNKNOWN = "unknown";

    public BrokerIdentity {
        name = name == null || name.isBlank() ? UNKNOWN : name;
        id = id == null || id.isBlank() ? UNKNOWN : id;
    }

    @Override
    public String toString() {
        return LabelerEvents.brokerText(name, id);
    }
}
