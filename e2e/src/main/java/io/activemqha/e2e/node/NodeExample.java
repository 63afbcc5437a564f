package io.activemqha.e2e.node;

import io.activemqha.e2e.Await;
import io.activemqha.e2e.CommandResult;
import io.activemqha.e2e.ControlPlane;

import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The example (deploy/examples/activemq-nfs through the e2e/node/example overlay, or its StatefulSet form
 * e2e/node/statefulset; deploy/examples/activemq-lease through e2e/node/lease, or e2e/node/lease-statefulset) on the
 * real node, read the way an operator reads it: pods, their {@code leader} labels, the
 * Service's ready endpoints, the broker's log.
 */
public final class NodeExample implements AutoCloseable {
    public static final String NAMESPACE = "activemq";
    public static final String SERVICE = "activemq";
    public static final String BROKER = "activemq";
    /** What the shared-file locker logs once when a broker finds the lock taken and waits as a slave. */
    public static final String SLAVE_LINE = "slave mode";
    /** What the lease locker logs when a broker finds the Lease held by another pod and waits. */
    public static final String LEASE_STANDBY_LINE = "the Lease is held by";
    /**
     * What a broker logs once it holds the lock and its OpenWire connector (the example's first, the one the labeler
     * probes) accepts.
     */
    private static final Pattern ACTIVE_LINE = Pattern.compile("^(\\S+) .*Connector openwire started");
    /** The label that selects the example's pods (the Deployment's, the StatefulSet's and the Service's selector). */
    public static final String APP = "app.kubernetes.io/name";

    /** The overlays of the examples, how many brokers each runs and what a waiting broker logs. */
    public enum Form {
        /** deploy/examples/activemq-nfs as shipped: a Deployment of two. */
        DEPLOYMENT("e2e/node/example", 2, SLAVE_LINE),
        /** The same pod template as a StatefulSet of three on the same claim. */
        STATEFUL_SET("e2e/node/statefulset", 3, SLAVE_LINE),
        /** deploy/examples/activemq-lease: the Deployment of two with the lease locker. */
        LEASE("e2e/node/lease", 2, LEASE_STANDBY_LINE),
        /** The lease example's pod template as a StatefulSet of three on the same claim. */
        LEASE_STATEFUL_SET("e2e/node/lease-statefulset", 3, LEASE_STANDBY_LINE);

        private final String overlay;
        private final int brokers;
        private final String standbyLine;

        Form(String overlay, int brokers, String standbyLine) {
            this.overlay = overlay;
            this.brokers = brokers;
            this.standbyLine = standbyLine;
        }
    }

    private final ControlPlane plane;
    private final Path overlay;
    private final int brokers;
    private final String standbyLine;
    private final Supplier<String> diagnosis;

    private NodeExample(ControlPlane plane, Path overlay, Form form, Supplier<String> diagnosis) {
        this.plane = plane;
        this.overlay = overlay;
        this.brokers = form.brokers;
        this.standbyLine = form.standbyLine;
        this.diagnosis = diagnosis;
    }

    /** {@code kubectl apply -k e2e/node/example}. */
    public static NodeExample apply(ControlPlane plane, Path projectRoot, Supplier<String> diagnosis) {
        return apply(plane, projectRoot, Form.DEPLOYMENT, diagnosis);
    }

    /** {@code kubectl apply -k} the overlay of {@code form}. */
    public static NodeExample apply(ControlPlane plane, Path projectRoot, Form form, Supplier<String> diagnosis) {
        Path overlay = projectRoot.resolve(form.overlay);
        plane.kubectl().succeed("apply", "-k", overlay.toString());
        return new NodeExample(plane, overlay, form, diagnosis);
    }

    public List<Pod> pods() {
        return client().pods().inNamespace(NAMESPACE).withLabel(APP, BROKER).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    public Pod pod(String name) {
        return client().pods().inNamespace(NAMESPACE).withName(name).get();
    }

    /** The pods labeled {@code leader=yes}. */
    public List<Pod> leaders() {
        return pods().stream().filter(pod -> Labels.LEADER_YES.equals(pod.getMetadata().getLabels().get(Labels.LEADER)))
                .toList();
    }

    /** The addresses of the Service's ready endpoints. */
    public Set<String> endpoints() {
        return client().discovery().v1().endpointSlices().inNamespace(NAMESPACE)
                .withLabel("kubernetes.io/service-name", SERVICE).list().getItems().stream()
                .flatMap(slice -> slice.getEndpoints() == null ? Stream.empty() : slice.getEndpoints().stream())
                .filter(endpoint -> endpoint.getConditions() == null || !Boolean.FALSE.equals(endpoint.getConditions().getReady()))
                .map(Endpoint::getAddresses).flatMap(List::stream).collect(Collectors.toSet());
    }

    public String clusterIp() {
        return client().services().inNamespace(NAMESPACE).withName(SERVICE).get().getSpec().getClusterIP();
    }

    /**
     * Waits for all the brokers' pods running with their broker and labeler containers started, exactly one of them
     * labeled {@code leader=yes} and the only endpoint of the Service, and every other one's broker waiting for the
     * lock (or the Lease).
     *
     * @return the leader
     */
    public Pod awaitSteadyState(Duration timeout) {
        return Await.until(brokers + " brokers, one leader that is the Service's only endpoint, the others slaves",
                timeout, () -> {
                    List<Pod> pods = pods();
                    List<Pod> leaders = leaders();
                    if (pods.size() != brokers || !pods.stream().allMatch(NodeExample::started) || leaders.size() != 1) {
                        return Optional.empty();
                    }
                    Pod leader = leaders.get(0);
                    boolean routed = endpoints().equals(Set.of(leader.getStatus().getPodIP()));
                    boolean othersWait = pods.stream()
                            .filter(p -> !p.getMetadata().getName().equals(leader.getMetadata().getName()))
                            .allMatch(standby -> brokerLog(standby).contains(standbyLine));
                    return routed && othersWait ? Optional.of(leader) : Optional.empty();
                }, this::describe);
    }

    /**
     * When the broker container now running in {@code pod} became the active broker: the container runtime's time
     * stamp of the line its OpenWire connector logs once it accepts. Empty while the broker waits for the lock.
     */
    public Optional<Instant> brokerActiveSince(Pod pod) {
        CommandResult logs = plane.kubectl("logs", "--timestamps", "-n", NAMESPACE, pod.getMetadata().getName(),
                "-c", BROKER);
        if (!logs.succeeded()) {
            return Optional.empty();
        }
        return logs.stdout().lines().map(ACTIVE_LINE::matcher).filter(Matcher::find)
                .map(m -> Instant.parse(m.group(1))).findFirst();
    }

    /**
     * When the broker container now running in {@code pod} first logged a line containing {@code text}: the container
     * runtime's time stamp of that line (taken when the runtime read it, on this machine's clock). Empty if it has not.
     */
    public Optional<Instant> brokerLogged(Pod pod, String text) {
        CommandResult logs = plane.kubectl("logs", "--timestamps", "-n", NAMESPACE, pod.getMetadata().getName(),
                "-c", BROKER);
        if (!logs.succeeded()) {
            return Optional.empty();
        }
        return logs.stdout().lines().filter(line -> line.contains(text)).findFirst()
                .map(line -> Instant.parse(line.substring(0, line.indexOf(' '))));
    }

    /** The log of the broker container {@code pod} ran before its last restart ({@code kubectl logs --previous}). */
    public String previousBrokerLog(Pod pod) {
        CommandResult logs = plane.kubectl("logs", "--previous", "-n", NAMESPACE, pod.getMetadata().getName(), "-c",
                BROKER);
        return logs.succeeded() ? logs.stdout() : "(kubectl logs --previous: " + logs.stderr().strip() + ")";
    }

    /** Running, every container started, and every init container that is not a sidecar (the locker's) completed. */
    public static boolean started(Pod pod) {
        return "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getInitContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getStarted())
                        || c.getState().getTerminated() != null && c.getState().getTerminated().getExitCode() == 0)
                && pod.getStatus().getContainerStatuses().stream().allMatch(c -> Boolean.TRUE.equals(c.getStarted()));
    }

    public static ContainerStatus broker(Pod pod) {
        return pod.getStatus().getContainerStatuses().stream().filter(c -> BROKER.equals(c.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("pod " + pod.getMetadata().getName() + " has no broker"));
    }

    public static ContainerStatus labeler(Pod pod) {
        return pod.getStatus().getInitContainerStatuses().stream()
                .filter(c -> LabelerContract.CONTAINER_NAME.equals(c.getName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("pod " + pod.getMetadata().getName() + " has no labeler"));
    }

    /** The broker container's current log (kubectl logs, through the API server and the kubelet). */
    public String brokerLog(Pod pod) {
        CommandResult logs = plane.kubectl("logs", "-n", NAMESPACE, pod.getMetadata().getName(), "-c", BROKER);
        return logs.succeeded() ? logs.stdout() : "(kubectl logs: " + logs.stderr().strip() + ")";
    }

    public String describe() {
        return plane.kubectl("get", "pods,endpointslices,pvc", "-n", NAMESPACE, "-o", "wide", "-L", Labels.LEADER)
                .stdout() + plane.kubectl("get", "events", "-n", NAMESPACE).stdout() + "\n"
                + pods().stream().map(p -> p.getMetadata().getName() + " broker log:\n" + tail(brokerLog(p)))
                .collect(Collectors.joining("\n")) + "\n" + diagnosis.get();
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private KubernetesClient client() {
        return plane.client();
    }

    /** Deletes the example (its namespace, and the PersistentVolume) and waits until the namespace is gone. */
    @Override
    public void close() {
        plane.deleteKustomization(overlay, NAMESPACE, Duration.ofSeconds(120), this::describe);
    }
}
