package io.activemqha.e2e.failover;

import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * What a client-side observer sees of one Service: the pods' {@code leader} labels and the ready addresses of the
 * Service's EndpointSlices, from watches, with the arrival time of every change. There is no kube-proxy here, so
 * clients resolve the Service the way a client-side resolver (e.g. gRPC's or a headless lookup) does: to the ready
 * addresses of its EndpointSlices.
 */
public final class ServiceView implements AutoCloseable {
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final List<Observation> history = new ArrayList<>();

    /** One state of the Service, as of {@code epochMillis}. */
    public record Observation(long epochMillis, Map<String, String> leaderLabels, Set<String> endpoints) {
        /** The {@code leader} label of {@code pod}, or "" when absent. */
        public String leader(String pod) {
            return leaderLabels.getOrDefault(pod, "");
        }
    }

    private ServiceView(KubernetesClient client, String namespace, String service) {
        ResourceEventHandler<Object> record = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object object) {
                observe();
            }

            @Override
            public void onUpdate(Object before, Object after) {
                observe();
            }

            @Override
            public void onDelete(Object object, boolean unknownFinalState) {
                observe();
            }
        };
        this.pods = client.pods().inNamespace(namespace).runnableInformer(0);
        this.slices = client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel("kubernetes.io/service-name", service).runnableInformer(0);
        pods.addEventHandler(cast(record));
        slices.addEventHandler(cast(record));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> handler) {
        return (ResourceEventHandler) handler;
    }

    /** Starts watching the pods of {@code namespace} and the EndpointSlices of Service {@code service}. */
    public static ServiceView watch(KubernetesClient client, String namespace, String service) {
        ServiceView view = new ServiceView(client, namespace, service);
        view.pods.run();
        view.slices.run();
        return view;
    }

    private synchronized void observe() {
        Map<String, String> labels = new TreeMap<>();
        for (Pod pod : pods.getStore().list()) {
            labels.put(pod.getMetadata().getName(), Optional.ofNullable(pod.getMetadata().getLabels())
                    .map(l -> l.getOrDefault(Labels.LEADER, "")).orElse(""));
        }
        Set<String> addresses = new TreeSet<>();
        for (EndpointSlice slice : slices.getStore().list()) {
            for (Endpoint endpoint : Optional.ofNullable(slice.getEndpoints()).orElse(List.of())) {
                boolean ready = endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady();
                if (ready) {
                    addresses.addAll(endpoint.getAddresses());
                }
            }
        }
        Observation latest = history.isEmpty() ? null : history.get(history.size() - 1);
        if (latest == null || !latest.leaderLabels().equals(labels) || !latest.endpoints().equals(addresses)) {
            history.add(new Observation(System.currentTimeMillis(), Map.copyOf(labels), Set.copyOf(addresses)));
            notifyAll();
        }
    }

    /** The latest state seen. */
    public synchronized Observation current() {
        return history.isEmpty() ? new Observation(0, Map.of(), Set.of()) : history.get(history.size() - 1);
    }

    /** The first state at or after {@code sinceMillis} matching {@code condition}, if one was seen. */
    public synchronized Optional<Observation> firstSince(long sinceMillis, Predicate<Observation> condition) {
        // The state in force at sinceMillis counts too: it may already match.
        Observation inForce = null;
        for (Observation observation : history) {
            if (observation.epochMillis() <= sinceMillis) {
                inForce = observation;
            }
        }
        if (inForce != null && condition.test(inForce)) {
            return Optional.of(inForce);
        }
        return history.stream().filter(o -> o.epochMillis() > sinceMillis).filter(condition).findFirst();
    }

    /** Waits until the current state matches {@code condition}; throws with the latest state on timeout. */
    public synchronized Observation await(String what, Duration timeout, Predicate<Observation> condition) {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!condition.test(current())) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + "s waiting for " + what
                        + "; latest: " + current());
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
        return current();
    }

    /** Every state seen, oldest first. */
    public synchronized List<Observation> history() {
        return List.copyOf(history);
    }

    @Override
    public void close() {
        pods.close();
        slices.close();
    }
}
