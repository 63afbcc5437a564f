package io.activemqha.labeler.probe;

import java.util.Optional;

/** The outcome of one activity probe. */
public sealed interface ProbeResult {
    /** Whether the broker completed the protocol handshake. */
    boolean active();

    /** Closes the kept connection, if any (used when the result arrives after shutdown began). */
    default void closeConnection() {
        if (this instanceof Active a) {
            a.connection().ifPresent(LiveConnection::close);
        }
    }

    /**
     * The broker completed the handshake. {@code connection} is present when the probe could keep the
     * connection open to watch it (absent, e.g., when a STOMP broker answered ERROR and closed it).
     */
    record Active(BrokerIdentity broker, Optional<LiveConnection> connection) implements ProbeResult {
        @Override
        public boolean active() {
            return true;
        }
    }

    /** No completed handshake: refused, reset, timed out, or anything else; {@code reason} is one short line. */
    record Inactive(String reason) implements ProbeResult {
        @Override
        public boolean active() {
            return false;
        }

        /** Whether the port refused the connection: nothing listens there (a standby's connectors are not started). */
        public boolean refused() {
            return Failures.REFUSED.equals(reason);
        }
    }
}
