package io.activemqha.labeler.probe;

import io.activemqha.labeler.LabelerConfig;
import io.activemqha.labeler.ProbeProtocol;

/** Chooses the probe for the configured broker URL. */
public final class BrokerProbes {
    private BrokerProbes() {
    }

    public static BrokerProbe forConfig(LabelerConfig config) {
        return switch (ProbeProtocol.of(config.brokerUrl().getScheme())) {
            case OPENWIRE -> new OpenWireProbe(config.brokerUrl(), config.handshakeTimeout(), config.inactivityTimeout());
            case STOMP -> new StompProbe(config.brokerUrl(), config.handshakeTimeout());
        };
    }
}
