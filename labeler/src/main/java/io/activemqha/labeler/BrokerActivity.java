package io.activemqha.labeler;

import io.activemqha.labeler.probe.BrokerIdentity;

/**
 * What the activity monitor last established about the local broker.
 *
 * @param active         whether the broker completed a protocol handshake
 * @param broker         who answered (null while not active)
 * @param reason         why it is not active, or how it was detected
 * @param detectedAtNanos {@link System#nanoTime()} when the change was detected, the start of the label latency
 */
public record BrokerActivity(boolean active, BrokerIdentity broker, String reason, long detectedAtNanos) {
    /** The broker as written in logs and events. */
    public String brokerText() {
        return broker == null ? "no broker" : broker.toString();
    }
}
