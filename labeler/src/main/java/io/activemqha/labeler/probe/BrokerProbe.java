package io.activemqha.labeler.probe;

/**
 * Checks whether the local broker is the active one by completing a protocol handshake with it. A bare
 * TCP connect proves nothing: a slave's socket can be bound, and the kernel completes TCP handshakes into
 * its backlog although nothing accepts them.
 */
public interface BrokerProbe {
    /** One probe, bounded by the configured handshake timeout; never throws for network failures. */
    ProbeResult probe();
}
