package io.activemqha.labeler.probe;

import java.util.concurrent.CompletionStage;

/** A connection kept open to an active broker, so its failure is noticed at once instead of at the next poll. */
public interface LiveConnection extends AutoCloseable {
    /** Completes, with a short reason, when the transport fails or the broker closes the connection. */
    CompletionStage<String> lost();

    /** Closes the connection without blocking on the network; idempotent. */
    @Override
    void close();
}
