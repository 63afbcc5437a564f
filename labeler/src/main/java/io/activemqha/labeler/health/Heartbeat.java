package io.activemqha.labeler.health;

/** A loop's proof of life: it calls {@link #beat()} on every turn. */
@FunctionalInterface
public interface Heartbeat {
    void beat();
}
