package io.activemqha.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelerEventsTest {
    @Test
    void theBrokerTextParsesBackFromAPromotionMessage() {
        String message = "promoted pod a-0: leader=no -> yes, " + LabelerEvents.brokerText("b1", "ID:host-41-0:1")
                + "; detection to label 12 ms (patch 3 ms); handshake";

        assertThat(LabelerEvents.brokerIn(message)).contains(new LabelerEvents.Broker("b1", "ID:host-41-0:1"));
    }

    @Test
    void aMessageWithoutABrokerNamesNone() {
        assertThat(LabelerEvents.brokerIn("demoted pod a-0: leader=yes -> no, no broker; refused")).isEmpty();
        assertThat(LabelerEvents.brokerIn(null)).isEmpty();
    }
}
