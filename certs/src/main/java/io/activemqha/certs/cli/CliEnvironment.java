package io.activemqha.certs.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What the commands need from outside: the time and, only when a command talks to the cluster, an API client.
 *
 * @param clock      the current time
 * @param kubernetes creates or returns the API client; called only by commands that use the cluster
 */
public record CliEnvironment(Clock clock, Supplier<KubernetesClient> kubernetes) {
}
