package io.activemqha.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.activemqha.common.Annotations;
import io.activemqha.common.InstallNames;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.e2e.failover.FailoverChart;
import io.activemqha.e2e.failover.ServiceView;
import io.activemqha.e2e.node.KernelSettings;
import io.activemqha.e2e.node.NodeExample;
import io.activemqha.e2e.node.NodeInstall;
import io.activemqha.e2e.node.RealNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real node (containerd + runc + CNI bridge, kubelet, kube-proxy) joins the test control plane and runs pods; when
 * it stops, the machine is as it was. Last, so the other classes see a control plane without a node.
 */
@ExtendWith(E2eExtension.class)
@Order(100)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealNodeIT {
    private static final Duration RUNNING = Duration.ofSeconds(60);
    // Two JVMs per webhook replica and one per certs step start at once on two cores.
    private static final Duration INSTALLED = Duration.ofSeconds(240);
    private static final Duration EXAMPLE_READY = Duration.ofSeconds(240);
    /** Kill, lock takeover, label, endpoint and a kubelet restart with its back-off (10 s, then 20 s). */
    private static final Duration FAILOVER = Duration.ofSeconds(120);
    private static final int FAILOVERS = 5;
    /** How long labels that must not change are watched: many labeler probe intervals and kubelet sync loops. */
    private static final Duration LABELS_WATCH = Duration.ofSeconds(10);
    /**
     * Allowance for what the configured intervals do not bound: JVM start, journal recovery, an API round trip and
     * a watch delivery on a 2-core machine running the whole node. Only a broken failover exceeds it.
     */
    private static final long ALLOWANCE_MS = 20_000;
    /** The labeler's default re-probe interval while its broker is not active (docs/labeler.md). */
    private static final long PROBE_INTERVAL_MS = 250;
    /** The labeler's default bound on one probe's connect and handshake. */
    private static final long HANDSHAKE_TIMEOUT_MS = 1000;
    private static final String LEASE_REPEATS_PROPERTY = "lease.repeats";
    /** How often each of issue 24's lease scenarios runs: 2 in the suite, {@code -Dlease.repeats=10} for a long run. */
    private static final int LEASE_REPEATS = Integer.getInteger(LEASE_REPEATS_PROPERTY, 2);
    /** How long half-sent requests are held on the leader's labeler. */
    private static final Duration HALF_SENT_HOLD = Duration.ofSeconds(60);
    private static KernelSettings before;
    private static RealNode node;
    private static LeaseReport leaseReport;

    @BeforeAll
    static void startNode(ControlPlane plane) {
        before = KernelSettings.record();
        Path binaries = ControlPlaneBinaries.directory().orElseThrow();
        node = RealNode.start(plane, binaries, E2eSettings.imageArchives(), E2eSettings.logDirectory());
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
        assertThat(KernelSettings.record()).as("kernel settings after the node").isEqualTo(before);
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            assertThat(hierarchies.map(h -> h.resolve("kubepods")).filter(Files::exists).toList())
                    .as("kubepods cgroups left behind").isEmpty();
        }
    }

    @Test
    @Order(1)
    void theNodeRegistersReadyWithContainerdAndTheControlPlanesRelease(ControlPlane plane) {
        Node registered = plane.client().nodes().withName(RealNode.NAME).get();

        assertThat(registered.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://");
        assertThat(registered.getStatus().getNodeInfo().getKubeletVersion())
                .isEqualTo(plane.client().getKubernetesVersion().getGitVersion());
        assertThat(registered.getStatus().getAddresses()).anySatisfy(a -> assertThat(a.getAddress()).isEqualTo(RealNode.NODE_IP));
    }

    @Test
    @Order(2)
    void aPodIsScheduledAndRunsInContainerdWithAnAddressFromThePodSubnet(ControlPlane plane) throws Exception {
        KubernetesClient client = plane.client();
        try (TestNamespace namespace = TestNamespace.create(client, "node")) {
            client.pods().inNamespace(namespace.name()).resource(new PodBuilder()
                    .withNewMetadata().withName("pause").endMetadata()
                    .withNewSpec().withAutomountServiceAccountToken(false)
                    .addNewContainer().withName("pause").withImage(RealNode.SANDBOX_IMAGE)
                    .withImagePullPolicy("Never").endContainer().endSpec().build()).create();

            Pod running = Await.until("pod pause Running", RUNNING, () -> Optional.ofNullable(
                    client.pods().inNamespace(namespace.name()).withName("pause").get())
                    .filter(p -> "Running".equals(p.getStatus().getPhase())), node::kubeletLogTail);

            assertThat(running.getSpec().getNodeName()).as("bound by kube-scheduler").isEqualTo(RealNode.NAME);
            assertThat(running.getStatus().getContainerStatuses().get(0).getContainerID()).startsWith("containerd://");
            assertThat(running.getStatus().getPodIP()).startsWith("10.214.0.");
        }
    }

    /**
     * The webhook image built from the repository's Dockerfile serves in a pod, as its non-root user on a read-only
     * root filesystem, and a client reaches it through a Service's ClusterIP, which only kube-proxy's rules route.
     */
    @Test
    @Order(3)
    void theWebhookImageServesThroughAServiceClusterIp(ControlPlane plane) throws Exception {
        KubernetesClient client = plane.client();
        try (TestNamespace namespace = TestNamespace.create(client, "node-svc")) {
            Path manifest = Files.writeString(plane.newDirectory("node-svc").resolve("webhook.yaml"), """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: webhook
                      labels: {app: webhook}
                    spec:
                      automountServiceAccountToken: false
                      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
                      containers:
                        - name: webhook
                          image: %s
                          imagePullPolicy: Never
                          args: [serve, --dev, --provision-rbac=false]
                          ports: [{name: https, containerPort: 8443}]
                          readinessProbe: {httpGet: {path: /readyz, port: https, scheme: HTTPS}, periodSeconds: 1}
                          securityContext:
                            allowPrivilegeEscalation: false
                            readOnlyRootFilesystem: true
                            capabilities: {drop: [ALL]}
                          volumeMounts: [{name: tmp, mountPath: /tmp}]
                      volumes: [{name: tmp, emptyDir: {}}]
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata:
                      name: webhook
                    spec:
                      selector: {app: webhook}
                      ports: [{port: 443, targetPort: https}]
                    """.formatted(E2eSettings.image("webhook")));
            plane.kubectl().succeed("apply", "-n", namespace.name(), "-f", manifest.toString());

            Await.untilTrue("pod webhook Ready", RUNNING, () -> {
                Pod pod = client.pods().inNamespace(namespace.name()).withName("webhook").get();
                return pod != null && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            }, node::kubeletLogTail);
            String clusterIp = client.services().inNamespace(namespace.name()).withName("webhook").get().getSpec().getClusterIP();

            HttpClient http = AnyCertificate.client();
            AtomicReference<IOException> lastFailure = new AtomicReference<>();
            HttpResponse<String> health = Await.until("GET https://" + clusterIp + "/healthz", RUNNING, () -> {
                try {
                    return Optional.of(http.send(HttpRequest.newBuilder(
                            URI.create("https://" + clusterIp + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                } catch (IOException notRoutedYet) {
                    lastFailure.set(notRoutedYet);
                    return Optional.empty();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }, () -> "last failure: " + lastFailure.get() + "\n"
                    + plane.kubectl("get", "endpointslices", "-n", namespace.name(), "-o", "wide").stdout()
                    + Commands.run(List.of("iptables-save", "-t", "nat"), Map.of(), Duration.ofSeconds(10)).stdout()
                    + Commands.run(List.of("ip", "route"), Map.of(), Duration.ofSeconds(10)).stdout());

            assertThat(clusterIp).startsWith("198.51.100.");
            assertThat(health.statusCode()).isEqualTo(200);
            Pod pod = client.pods().inNamespace(namespace.name()).withName("webhook").get();
            assertThat(pod.getStatus().getContainerStatuses().get(0).getImage()).isEqualTo(E2eSettings.image("webhook"));
        }
    }

    /**
     * {@code kubectl apply -k deploy/install}, as shipped, runs on the node: the certs Job issues the certificate and
     * patches the caBundle from its image, the webhook Deployment becomes available with both replicas behind its
     * PodDisruptionBudget, and the API server then calls it through its Service (kube-proxy's ClusterIP, TLS checked
     * against the caBundle the Job wrote) for an annotated pod, which comes out injected and runs the labeler image.
     */
    @Test
    @Order(4)
    void theInstallAsShippedRunsOnTheNodeAndInjectsThroughItsService(ControlPlane plane) throws Exception {
        KubernetesClient client = plane.client();
        NodeInstall.applyAsShipped(plane, E2eSettings.projectRoot(), INSTALLED, node::kubeletLogTail);

        List<Pod> webhooks = client.pods().inNamespace(InstallNames.NAMESPACE)
                .withLabel("app.kubernetes.io/name", InstallNames.WEBHOOK).list().getItems();
        assertThat(webhooks).hasSize(2).allSatisfy(pod -> {
            assertThat(pod.getSpec().getNodeName()).isEqualTo(RealNode.NAME);
            assertThat(pod.getStatus().getContainerStatuses()).singleElement().satisfies(container -> {
                assertThat(container.getContainerID()).startsWith("containerd://");
                assertThat(container.getImage()).isEqualTo(E2eSettings.image("webhook"));
            });
        });
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(InstallNames.NAMESPACE)
                .withName(InstallNames.WEBHOOK).get().getStatus().getDisruptionsAllowed())
                .as("one webhook replica may be disrupted").isEqualTo(1);

        try (TestNamespace namespace = TestNamespace.create(client, "node-inject")) {
            client.pods().inNamespace(namespace.name()).resource(new PodBuilder()
                    .withNewMetadata().withName("broker").addToAnnotations(Annotations.ENABLED, "true").endMetadata()
                    .withNewSpec().addNewContainer().withName("broker").withImage(RealNode.SANDBOX_IMAGE)
                    .withImagePullPolicy("Never").endContainer().endSpec().build()).create();

            Pod injected = client.pods().inNamespace(namespace.name()).withName("broker").get();
            assertThat(injected.getMetadata().getAnnotations()).containsKey(Annotations.INJECTED);
            assertThat(injected.getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO);
            Pod running = Await.until("the injected pod Running with both containers started", INSTALLED,
                    () -> Optional.ofNullable(client.pods().inNamespace(namespace.name()).withName("broker").get())
                            .filter(NodeExample::started), node::kubeletLogTail);
            assertThat(running.getStatus().getInitContainerStatuses())
                    .filteredOn(c -> LabelerContract.CONTAINER_NAME.equals(c.getName())).singleElement()
                    .satisfies(labeler -> assertThat(labeler.getImage()).isEqualTo(E2eSettings.image("leader-labeler")));
        }
    }

    /**
     * Issue 13, scenario 3: the example's brokers (the stand-in image, the example's activemq.xml unchanged) run with
     * the injected native sidecar; STOMP, MQTT QoS 1 and OpenWire clients dial only the Service's ClusterIP while the
     * leader's broker is killed {@value #FAILOVERS} times (SIGKILL to its container's processes; the kubelet restarts
     * it and it comes back as the slave). Every acknowledged message is received. Per failover, in ms after the kill:
     * the standby's OpenWire connector accepts (its log line's container-runtime time stamp), its pod is seen labeled
     * and the Service's only endpoint (watch arrival times), a STOMP client through the ClusterIP gets a receipt. With
     * scenarios 4 and 6 they go to target/failover-timings.json and its chart, target/failover-timeline.svg.
     */
    @Test
    @Order(5)
    void theExampleFailsOverUnderClientTrafficThroughTheServiceClusterIp(ControlPlane plane) throws Exception {
        List<Map<String, Object>> failovers = new ArrayList<>();
        Map<String, Object> report = new LinkedHashMap<>();
        List<MessageLedger> ledgers = new ArrayList<>();
        long lockAcquireSleep = lockerSetting("lockAcquireSleepInterval");
        // A slave that gets the lock holds it for one keep-alive period before it trusts it (SharedFileLocker), so
        // that period is the floor of every failover.
        long lockKeepAlive = lockerSetting("lockKeepAlivePeriod");
        try (NodeExample example = NodeExample.apply(plane, E2eSettings.projectRoot(), node::kubeletLogTail);
             ServiceView view = ServiceView.watch(plane.client(), NodeExample.NAMESPACE, NodeExample.SERVICE)) {
            Pod leader = example.awaitSteadyState(EXAMPLE_READY);
            // Scenario 2: what the example's pods are on the node.
            assertThat(plane.client().namespaces().withName(NodeExample.NAMESPACE).get().getMetadata().getLabels())
                    .as("the injected pods were admitted under the restricted Pod Security Standard")
                    .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
            example.pods().forEach(pod -> assertRunsAsInjected(plane, pod));
            String clusterIp = example.clusterIp();
            try (ClientTraffic traffic = ClientTraffic.throughClusterIp(clusterIp)) {
                traffic.start();
                traffic.awaitEveryProtocolAcknowledgedMore(Map.of(), EXAMPLE_READY);
                for (int failover = 1; failover <= FAILOVERS; failover++) {
                    Map<String, Long> before = traffic.acknowledgedPerProtocol();
                    String leaderName = leader.getMetadata().getName();
                    int restarts = NodeExample.broker(leader).getRestartCount();
                    long killed = System.currentTimeMillis();
                    RealNode.kill(NodeExample.broker(leader).getContainerID());
                    // Seen on the pod watch, or implied by an EndpointSlice holding the pod (the Service selects
                    // leader=yes): the two watches have no order between them, whichever shows it first is when it
                    // was known.
                    Pod next = Await.until("a new leader labeled", FAILOVER, () -> example.leaders().stream()
                            .filter(p -> !p.getMetadata().getName().equals(leaderName)).findFirst(), example::describe);
                    String nextName = next.getMetadata().getName();
                    String nextIp = next.getStatus().getPodIP();
                    long labeled = firstSince(view, killed, "leader=yes on " + nextName,
                            o -> Labels.LEADER_YES.equals(o.leader(nextName)) || o.endpoints().contains(nextIp));
                    long routed = firstSince(view, killed, "the Service's endpoint moved to " + nextName,
                            o -> o.endpoints().equals(Set.of(nextIp)));
                    awaitStompReceipt(clusterIp, failover);
                    long clientOk = System.currentTimeMillis();
                    long active = Await.until(nextName + "'s broker logged its OpenWire connector started", FAILOVER,
                            () -> example.brokerActiveSince(next), example::describe).toEpochMilli();
                    traffic.awaitEveryProtocolAcknowledgedMore(before, FAILOVER);
                    Await.untilTrue(leaderName + "'s broker restarted by the kubelet", FAILOVER,
                            () -> Optional.ofNullable(example.pod(leaderName))
                                    .filter(p -> NodeExample.broker(p).getRestartCount() > restarts).isPresent(),
                            example::describe);
                    leader = example.awaitSteadyState(FAILOVER);
                    long standby = System.currentTimeMillis();
                    assertThat(leader.getMetadata().getName()).isEqualTo(nextName);
                    Pod restarted = example.pod(leaderName);
                    assertThat(restarted.getMetadata().getLabels()).containsEntry(Labels.LEADER, Labels.LEADER_NO);
                    assertThat(restarted.getStatus().getConditions())
                            .as("the slave's pod is Ready: the label alone keeps it out of the Service")
                            .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"));
                    Map<String, Object> timing = new LinkedHashMap<>();
                    timing.put("failover", failover);
                    timing.put("killed", leaderName);
                    timing.put("new_leader", nextName);
                    timing.put("standby_active_ms", active - killed);
                    timing.put("labeled_ms", labeled - killed);
                    timing.put("endpoints_ms", routed - killed);
                    timing.put("client_ok_ms", clientOk - killed);
                    timing.put("back_as_standby_ms", standby - killed);
                    failovers.add(timing);
                    System.out.printf("failover %d: %s%n", failover, timing);
                    assertThat(active - killed).as("standby active, ms after the kill: %s", timing)
                            .isGreaterThanOrEqualTo(lockKeepAlive)
                            .isLessThanOrEqualTo(lockAcquireSleep + lockKeepAlive + ALLOWANCE_MS);
                    assertThat(labeled).as("labeled after its broker accepts, within a probe: %s", timing)
                            .isGreaterThanOrEqualTo(active)
                            .isLessThanOrEqualTo(active + PROBE_INTERVAL_MS + HANDSHAKE_TIMEOUT_MS + ALLOWANCE_MS);
                    assertThat(routed).as("the endpoint follows the label: %s", timing)
                            .isBetween(labeled, labeled + ALLOWANCE_MS);
                }
                // Scenario 4: graceful moves under the same traffic.
                String namespace = NodeExample.NAMESPACE;
                String deleted = leader.getMetadata().getName();
                GracefulMove deletion = gracefulMove(example, traffic, leader,
                        () -> plane.kubectl().succeed("delete", "pod", "-n", namespace, deleted, "--wait=false"),
                        pods -> pods.stream().noneMatch(p -> p.getMetadata().getName().equals(deleted)));
                leader = example.awaitSteadyState(EXAMPLE_READY);
                String template = leader.getMetadata().getLabels().get("pod-template-hash");
                GracefulMove rollout = gracefulMove(example, traffic, leader,
                        () -> plane.kubectl().succeed("rollout", "restart", "-n", namespace,
                                "deployment/" + NodeExample.BROKER),
                        pods -> pods.stream().noneMatch(p -> template.equals(p.getMetadata().getLabels()
                                .get("pod-template-hash"))));

                // Scenario 6: the leader's labeler killed, then the kubelet: the labels never change, and the Service
                // never routes anywhere else.
                leader = example.awaitSteadyState(EXAMPLE_READY);
                Pod labeled = leader;
                int labelerRestarts = NodeExample.labeler(leader).getRestartCount();
                Map<String, Object> sidecar = new LinkedHashMap<>();
                RealNode.kill(NodeExample.labeler(leader).getContainerID());
                sidecar.put("labeler_killed_unrouted_ms", watchLeadership(example, labeled, LABELS_WATCH));
                Await.untilTrue("the leader's labeler restarted by the kubelet", FAILOVER, () -> Optional.ofNullable(
                                example.pod(labeled.getMetadata().getName())).map(NodeExample::labeler)
                        .filter(c -> c.getRestartCount() > labelerRestarts && Boolean.TRUE.equals(c.getStarted()))
                        .isPresent(), example::describe);
                Map<String, Integer> brokerRestarts = brokerRestarts(example);
                node.restartKubelet(plane);
                sidecar.put("kubelet_restarted_unrouted_ms", watchLeadership(example, labeled, LABELS_WATCH));
                assertThat(example.awaitSteadyState(EXAMPLE_READY).getMetadata().getName())
                        .isEqualTo(labeled.getMetadata().getName());
                assertThat(brokerRestarts(example)).as("brokers untouched by the kubelet's restart")
                        .isEqualTo(brokerRestarts);
                traffic.drain(EXAMPLE_READY);
                ledgers.addAll(traffic.ledgers().values());
                report.put("frozen_leader", frozenLeaderKeepsTheLock(example, example.awaitSteadyState(EXAMPLE_READY)));
                report.put("rolling_restart", rollout.report(traffic));
                report.put("delete_leader_pod", deletion.report(traffic));
                report.put("labeler_and_kubelet", sidecar);
                Map<String, Object> clients = new LinkedHashMap<>();
                traffic.ledgers().forEach((protocol, book) -> clients.put(protocol, Map.of("acknowledged",
                        book.acknowledgedCount(), "lost", book.lost(), "duplicates", book.duplicates())));
                report.put("clients", clients);
                assertThat(traffic.errors()).as("client errors").isEmpty();
                traffic.ledgers().forEach((protocol, book) -> assertThat(book.lostIds())
                        .as("%s messages acknowledged by a broker but never received", protocol).isEmpty());
            }
        } finally {
            writeTimings(failovers, ledgers, report);
        }
    }

    /**
     * Issue 13, scenario 2, the StatefulSet form: the example's pod template as a StatefulSet of three brokers on the
     * one claim (e2e/node/statefulset). Each pod is injected and runs as the Deployment's do; one broker holds the
     * lock and is the Service's only endpoint, the other two wait; a SIGKILL of the leader's broker moves the Service
     * to one of them, and a client through the ClusterIP is served by it.
     */
    @Test
    @Order(7)
    void aStatefulSetOfThreeBrokersOnOneStoreHasOneLeaderAndFailsOver(ControlPlane plane) {
        try (NodeExample example = NodeExample.apply(plane, E2eSettings.projectRoot(), NodeExample.Form.STATEFUL_SET,
                node::kubeletLogTail)) {
            Pod leader = example.awaitSteadyState(EXAMPLE_READY);
            assertThat(example.pods()).extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("activemq-0", "activemq-1", "activemq-2");
            assertThat(example.pods()).allSatisfy(pod -> assertThat(pod.getMetadata().getOwnerReferences())
                    .singleElement().satisfies(owner -> assertThat(owner.getKind()).isEqualTo("StatefulSet")));
            example.pods().forEach(pod -> assertRunsAsInjected(plane, pod));
            String leaderName = leader.getMetadata().getName();
            int restarts = NodeExample.broker(leader).getRestartCount();
            RealNode.kill(NodeExample.broker(leader).getContainerID());
            Pod next = Await.until("a new leader among the other two", FAILOVER, () -> example.leaders().stream()
                    .filter(p -> !p.getMetadata().getName().equals(leaderName)).findFirst(), example::describe);
            awaitStompReceipt(example.clusterIp(), 0);
            Await.untilTrue(leaderName + "'s broker restarted by the kubelet", FAILOVER,
                    () -> NodeExample.broker(example.pod(leaderName)).getRestartCount() > restarts, example::describe);
            assertThat(example.awaitSteadyState(FAILOVER).getMetadata().getName()).isEqualTo(next.getMetadata().getName());
        }
    }

    /**
     * Issues 14 and 24: deploy/examples/activemq-lease (the lease locker) on the real node, each fault timed from when
     * it is made (LeaseFailover). Once: the leader's broker SIGKILLed twice (the fast path: its labeler releases the
     * Lease once the kubelet reports the container ended); its labeler SIGSTOPped and its pod cut off from the API
     * server (the broker halts, the standby takes over and fences the pod); the API server stopped for two Lease
     * durations (the master halts, nobody takes over until it is back). {@code -Dlease.repeats} times (2 by
     * default): the leader's broker SIGSTOPped for longer than the Lease then resumed; the same with the new master
     * stopped cleanly before the resume; the whole leader pod SIGSTOPped then resumed; a second HA group's Deployment on
     * the same claim (refused); half-sent HTTP requests held on the leader's labeler ports for a minute. Throughout,
     * clients through the ClusterIP lose nothing acknowledged, and never two brokers accept clients.
     */
    @Test
    @Order(8)
    void theLeaseExampleFailsOverKilledFrozenAndCutOffLeadersWithNeverTwoMasters(ControlPlane plane) throws Exception {
        Path root = E2eSettings.projectRoot();
        leasePhase(plane, NodeExample.Form.LEASE, "deployment", (run, example, leader) -> {
            // Twice: each pod's broker is killed once, and a first crash is restarted at once.
            run.brokerKilled(leader);
            run.brokerKilled(example.awaitSteadyState(EXAMPLE_READY));
            run.labelerFrozen(example.awaitSteadyState(EXAMPLE_READY));
            run.podCutOffFromApi(example.awaitSteadyState(EXAMPLE_READY));
            for (int repeat = 1; repeat <= LEASE_REPEATS; repeat++) {
                run.brokerFrozen(example.awaitSteadyState(EXAMPLE_READY), repeat);
                run.brokerFrozenThenNewMasterStopped(example.awaitSteadyState(EXAMPLE_READY), repeat);
                run.podFrozen(example.awaitSteadyState(EXAMPLE_READY), repeat);
                run.secondGroupOnTheStore(example.awaitSteadyState(EXAMPLE_READY),
                        root.resolve("e2e/node/lease-second-group"), repeat);
                run.halfSentRequests(example.awaitSteadyState(EXAMPLE_READY), repeat, HALF_SENT_HOLD);
            }
            run.apiServerStopped(example.awaitSteadyState(EXAMPLE_READY),
                    Duration.ofMillis(2 * leaseReport().settings().durationMs()));
        });
    }

    /**
     * Issue 24, the StatefulSet form of the lease example (e2e/node/lease-statefulset, three pods on the one claim):
     * the leader's pod frozen and then force-deleted, {@code -Dlease.repeats} times (2 by default). The StatefulSet recreates
     * it under the same name with a new UID, its kubelet kills the frozen processes without reporting it, and nobody
     * opens the store before the Lease expired and the fence's bound (one more duration) passed.
     */
    @Test
    @Order(9)
    void theLeaseStatefulSetWaitsOutAForceDeletedFrozenLeaderBeforeAnyoneOpensTheStore(ControlPlane plane)
            throws Exception {
        leasePhase(plane, NodeExample.Form.LEASE_STATEFUL_SET, "statefulset", (run, example, leader) -> {
            assertThat(example.pods()).extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("activemq-0", "activemq-1", "activemq-2");
            assertThat(example.pods()).allSatisfy(pod -> assertThat(pod.getMetadata().getOwnerReferences())
                    .singleElement().satisfies(owner -> assertThat(owner.getKind()).isEqualTo("StatefulSet")));
            for (int repeat = 1; repeat <= LEASE_REPEATS; repeat++) {
                run.forceDeletedFrozenLeader(example.awaitSteadyState(EXAMPLE_READY), repeat);
            }
        });
    }

    /** The lease scenarios of one form of the example, run against it with its clients. */
    private interface LeaseScenarios {
        void run(LeaseFailover run, NodeExample example, Pod leader) throws Exception;
    }

    /**
     * Applies the lease example in {@code form}, checks its pods as injected, starts clients through its ClusterIP, a
     * {@link MasterSampler} and a {@link PodHistory}, runs {@code scenarios}, and checks that no acknowledged message
     * was lost. The figures go to target/lease-failover.json, whatever the outcome.
     */
    private static void leasePhase(ControlPlane plane, NodeExample.Form form, String phase, LeaseScenarios scenarios)
            throws Exception {
        LeaseReport report = leaseReport();
        long started = System.currentTimeMillis();
        try (NodeExample example = NodeExample.apply(plane, E2eSettings.projectRoot(), form, node::kubeletLogTail);
             PodHistory history = PodHistory.watch(plane.client(), NodeExample.NAMESPACE)) {
            Pod leader = example.awaitSteadyState(EXAMPLE_READY);
            example.pods().forEach(pod -> assertRunsAsInjected(plane, pod));
            try (ClientTraffic traffic = ClientTraffic.throughClusterIp(example.clusterIp());
                 MasterSampler sampler = MasterSampler.start(() -> brokerAddresses(plane))) {
                LeaseFailover run = new LeaseFailover(plane, example, traffic, sampler, history, report.settings(),
                        report, phase);
                try {
                    example.pods().forEach(run::assertLeaseInjected);
                    assertThat(run.holder()).as("the Lease's holder").isEqualTo(LeaseFailover.identity(leader));
                    traffic.start();
                    traffic.awaitEveryProtocolAcknowledgedMore(Map.of(), EXAMPLE_READY);
                    scenarios.run(run, example, leader);
                    traffic.drain(EXAMPLE_READY);
                    assertThat(traffic.errors()).as("client errors").isEmpty();
                    traffic.ledgers().forEach((protocol, book) -> assertThat(book.lostIds())
                            .as("%s messages acknowledged by a broker but never received", protocol).isEmpty());
                } finally {
                    report.addPhase(phase, traffic, started);
                }
            }
        } finally {
            report.write(Path.of(System.getProperty("activemq.ha.work.dir")).getParent());
        }
    }

    /** Every broker pod of the namespace (the lease example's and a second group's), terminating ones included. */
    private static Map<String, String> brokerAddresses(ControlPlane plane) {
        return plane.client().pods().inNamespace(NodeExample.NAMESPACE)
                .withLabelIn(NodeExample.APP, NodeExample.BROKER, LeaseFailover.SECOND_GROUP).list().getItems().stream()
                .filter(pod -> pod.getStatus() != null && pod.getStatus().getPodIP() != null)
                .collect(Collectors.toMap(pod -> pod.getMetadata().getName(), pod -> pod.getStatus().getPodIP(),
                        (a, b) -> a));
    }

    /** The report of both lease tests, made on first use from the example's settings. */
    private static synchronized LeaseReport leaseReport() throws IOException {
        if (leaseReport == null) {
            leaseReport = new LeaseReport(LeaseFailover.Settings.ofExample(E2eSettings.projectRoot()
                    .resolve("deploy/examples/activemq-lease")), LEASE_REPEATS);
        }
        return leaseReport;
    }

    /**
     * Scenario 2's checks of one broker pod: the stand-in broker image and the labeler image run in containerd, the
     * labeler as a native sidecar started no later than the broker, and only the labeler holds a token.
     */
    private static void assertRunsAsInjected(ControlPlane plane, Pod pod) {
        String name = pod.getMetadata().getName();
        assertThat(NodeExample.broker(pod).getImage()).isEqualTo(E2eSettings.image("activemq-classic"));
        assertThat(NodeExample.broker(pod).getContainerID()).startsWith("containerd://");
        assertThat(NodeExample.labeler(pod).getImage()).isEqualTo(E2eSettings.image("leader-labeler"));
        assertThat(pod.getSpec().getInitContainers()).filteredOn(c -> LabelerContract.CONTAINER_NAME.equals(c.getName()))
                .singleElement().satisfies(c -> assertThat(c.getRestartPolicy()).as("a native sidecar")
                        .isEqualTo("Always"));
        assertThat(Instant.parse(NodeExample.labeler(pod).getState().getRunning().getStartedAt()))
                .as("the labeler started before the broker")
                .isBeforeOrEqualTo(Instant.parse(NodeExample.broker(pod).getState().getRunning().getStartedAt()));
        String token = LabelerContract.TOKEN_MOUNT_PATH + "/token";
        assertThat(plane.kubectl("exec", "-n", NodeExample.NAMESPACE, name, "-c", NodeExample.BROKER, "--",
                "ls", token).exitCode()).as("no token file in the broker container of %s", name).isNotZero();
        assertThat(plane.kubectl("exec", "-n", NodeExample.NAMESPACE, name, "-c", LabelerContract.CONTAINER_NAME,
                "--", "ls", token).exitCode()).as("the labeler's token in %s", name).isZero();
    }

    /**
     * Issue 14, scenario 2's other side: with the shared-file locker, a leader whose pod is stopped (SIGSTOP, a hung
     * node) keeps the file lock (on a local disk nothing expires it), so no standby ever takes over. Watched for
     * twice the lease example's takeover time, then resumed: the same broker goes on as master.
     */
    private static Map<String, Object> frozenLeaderKeepsTheLock(NodeExample example, Pod leader) throws Exception {
        String name = leader.getMetadata().getName();
        Duration watch = Duration.ofSeconds(40);
        List<Long> frozen = RealNode.freeze(List.of(NodeExample.broker(leader).getContainerID(),
                NodeExample.labeler(leader).getContainerID()));
        long start = System.currentTimeMillis();
        try {
            while (System.currentTimeMillis() - start < watch.toMillis()) {
                assertThat(example.leaders()).extracting(p -> p.getMetadata().getName()).isSubsetOf(name);
                for (Pod standby : example.pods()) {
                    if (!standby.getMetadata().getName().equals(name)) {
                        assertThat(example.brokerActiveSince(standby)).as("%s's broker took the lock", standby
                                .getMetadata().getName()).isEmpty();
                    }
                }
                Thread.sleep(1000);
            }
        } finally {
            RealNode.thaw(frozen);
        }
        Pod after = example.awaitSteadyState(EXAMPLE_READY);
        assertThat(after.getMetadata().getName()).as("the resumed broker is master again").isEqualTo(name);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("frozen_ms", System.currentTimeMillis() - start);
        result.put("standby_took_over", false);
        return result;
    }

    private static Map<String, Integer> brokerRestarts(NodeExample example) {
        Map<String, Integer> restarts = new java.util.TreeMap<>();
        example.pods().forEach(p -> restarts.put(p.getMetadata().getName(), NodeExample.broker(p).getRestartCount()));
        return restarts;
    }

    /** The first time since {@code sinceMillis} (epoch) that the view showed {@code condition}, waiting for it. */
    private static long firstSince(ServiceView view, long sinceMillis, String what, Predicate<ServiceView.Observation> condition) {
        view.await(what, FAILOVER, condition);
        return view.firstSince(sinceMillis, condition).orElseThrow().epochMillis();
    }

    /**
     * target/failover-timings.json ({@code failovers}, {@code lost_messages} and {@code duplicates} summed over the
     * clients, {@code rolling_restart} and the other scenarios' figures) and the chart drawn from it.
     */
    private static void writeTimings(List<Map<String, Object>> failovers, List<MessageLedger> ledgers,
                                     Map<String, Object> scenarios) throws IOException {
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("failovers", failovers);
        timings.put("lost_messages", ledgers.stream().mapToLong(MessageLedger::lost).sum());
        timings.put("duplicates", ledgers.stream().mapToLong(MessageLedger::duplicates).sum());
        timings.putAll(scenarios);
        Path target = Path.of(System.getProperty("activemq.ha.work.dir")).getParent();
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(timings);
        Files.writeString(target.resolve("failover-timings.json"), json + "\n");
        if (!failovers.isEmpty()) {
            Files.writeString(target.resolve("failover-timeline.svg"), FailoverChart.render(json));
        }
    }

    private static long lockerSetting(String attribute) throws IOException {
        String xml = Files.readString(E2eSettings.projectRoot().resolve("deploy/examples/activemq-nfs/activemq.xml"));
        Matcher matcher = Pattern.compile(attribute + "=\"(\\d+)\"").matcher(xml);
        if (!matcher.find()) {
            throw new IllegalStateException("activemq.xml sets no " + attribute);
        }
        return Long.parseLong(matcher.group(1));
    }

    /**
     * Issue 13, scenario 5: a webhook pod is deleted (as a drain or a rollout would) while annotated pods are being
     * admitted, one after another, through the API server, the Service's ClusterIP and kube-proxy: every admission
     * succeeds and injects, before, during and after the replacement (failurePolicy Fail would turn any failed call
     * into a refused pod). Dry-run creations: full admission, no pods to run.
     */
    @Test
    @Order(6)
    void admissionsKeepSucceedingWhileAWebhookPodIsDeleted(ControlPlane plane) throws Exception {
        KubernetesClient client = plane.client();
        List<String> webhooks = client.pods().inNamespace(InstallNames.NAMESPACE)
                .withLabel("app.kubernetes.io/name", InstallNames.WEBHOOK).list().getItems().stream()
                .map(p -> p.getMetadata().getName()).toList();
        assertThat(webhooks).hasSize(2);
        List<String> failures = new ArrayList<>();
        int admitted = 0;
        try (TestNamespace namespace = TestNamespace.create(client, "node-admit")) {
            long started = System.nanoTime();
            long deadline = 0;
            for (int i = 0; deadline == 0 || System.nanoTime() < deadline; i++) {
                if (i == 5) {
                    plane.kubectl().succeed("delete", "pod", "-n", InstallNames.NAMESPACE, webhooks.get(0), "--wait=false");
                }
                if (i > 5 && deadline == 0 && webhookAvailable(client, webhooks.get(0))) {
                    deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                }
                try {
                    var resource = client.pods().inNamespace(namespace.name()).resource(new PodBuilder()
                            .withNewMetadata().withName("broker-" + i).addToAnnotations(Annotations.ENABLED, "true")
                            .endMetadata().withNewSpec().addNewContainer().withName("broker")
                            .withImage(RealNode.SANDBOX_IMAGE).endContainer().endSpec().build());
                    // The first one for real: the webhook provisions the labeler's ServiceAccount, which the
                    // ServiceAccount admission plugin then finds for the dry-run ones (no side effects on dry runs).
                    Pod pod = i == 0 ? resource.create() : resource.dryRun().create();
                    if (pod.getMetadata().getAnnotations().containsKey(Annotations.INJECTED)) {
                        admitted++;
                    } else {
                        failures.add("broker-" + i + " admitted without injection");
                    }
                } catch (KubernetesClientException refused) {
                    failures.add("broker-" + i + ": " + refused.getMessage());
                }
                if (System.nanoTime() - started > INSTALLED.toNanos()) {
                    throw new AssertionError("the deleted webhook pod was not replaced (failures so far: " + failures
                            + "):\n" + plane.kubectl("get", "pods,events", "-n", InstallNames.NAMESPACE).stdout());
                }
                Thread.sleep(50);
            }
        }
        System.out.printf("%d admissions while webhook pod %s was deleted and replaced, %d failed%n", admitted,
                webhooks.get(0), failures.size());
        assertThat(failures).as("admissions while a webhook pod was replaced (%d admitted)", admitted).isEmpty();
        assertThat(admitted).isGreaterThan(10);
    }

    /** Two webhook pods Ready again, neither of them {@code deleted}. */
    private static boolean webhookAvailable(KubernetesClient client, String deleted) {
        List<Pod> pods = client.pods().inNamespace(InstallNames.NAMESPACE)
                .withLabel("app.kubernetes.io/name", InstallNames.WEBHOOK).list().getItems();
        return pods.stream().noneMatch(p -> p.getMetadata().getName().equals(deleted)) && pods.size() == 2
                && pods.stream().allMatch(p -> p.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    /**
     * One graceful move, measured in ms after it was asked for: when the leaving leader's address left the Service's
     * ready endpoints, when its broker stopped accepting, and the longest time each client producer went without an
     * acknowledged send between then and the group's steady state again ({@code fromNanos}..{@code toNanos}).
     */
    private record GracefulMove(long leftEndpointsMs, long brokerStoppedMs, Map<String, Long> clientOutageMs,
                                long fromNanos, long toNanos) {
        long maxClientOutageMs() {
            return clientOutageMs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        /** The figures, with the messages acknowledged during the move and never received ({@code traffic} drained). */
        Map<String, Object> report(ClientTraffic traffic) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("max_client_outage_ms", maxClientOutageMs());
            report.put("lost", traffic.ledgers().values().stream()
                    .mapToLong(book -> book.lostAcknowledgedBetween(fromNanos, toNanos)).sum());
            report.put("left_endpoints_ms", leftEndpointsMs);
            report.put("broker_stopped_accepting_ms", brokerStoppedMs);
            report.put("client_outage_ms", clientOutageMs);
            return report;
        }
    }

    /**
     * Moves the leader away gracefully ({@code move}: a pod deletion or a rollout) and measures it (the broker's
     * stop is dialled directly, for the measurement only). The endpoint must go first: from then on kube-proxy sends
     * no new connection to a broker that is about to stop.
     */
    private static GracefulMove gracefulMove(NodeExample example, ClientTraffic traffic, Pod leader, Runnable move,
                                             Predicate<List<Pod>> moved) {
        String address = leader.getStatus().getPodIP();
        Map<String, Long> before = traffic.acknowledgedPerProtocol();
        long started = System.nanoTime();
        move.run();
        long unrouted = 0;
        long closed = 0;
        long deadline = started + FAILOVER.toNanos() * 2;
        while ((unrouted == 0 || closed == 0) && System.nanoTime() < deadline) {
            if (unrouted == 0 && !example.endpoints().contains(address)) {
                unrouted = System.nanoTime();
            }
            if (closed == 0 && refuses(address, EndpointClient.OPENWIRE_PORT)) {
                closed = System.nanoTime();
            }
        }
        assertThat(unrouted).as("%s left the Service's endpoints", address).isPositive();
        assertThat(closed).as("the broker at %s stopped", address).isPositive();
        Await.untilTrue("the move to complete", EXAMPLE_READY, () -> moved.test(example.pods()), example::describe);
        example.awaitSteadyState(EXAMPLE_READY);
        traffic.awaitEveryProtocolAcknowledgedMore(before, EXAMPLE_READY);
        long settled = System.nanoTime();
        Map<String, Long> outages = new LinkedHashMap<>();
        traffic.ledgers().forEach((protocol, book) -> outages.put(protocol, book.longestGapMillis(started, settled)));
        GracefulMove result = new GracefulMove(millis(unrouted - started), millis(closed - started), outages, started,
                settled);
        System.out.printf("graceful move: %s%n", result);
        assertThat(unrouted).as("the leaving leader left the endpoints before its broker stopped: %s", result)
                .isLessThanOrEqualTo(closed);
        return result;
    }

    /**
     * Whether a connection to the broker is refused (or its pod's address is gone). A connect that merely takes long
     * (a busy JVM on two cores) is not taken for a stopped broker.
     */
    private static boolean refuses(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress(address, port), 1000);
            return false;
        } catch (java.net.ConnectException | java.net.NoRouteToHostException refused) {
            return true;
        } catch (IOException slow) {
            return false;
        }
    }

    /**
     * For {@code watch}: {@code leader} stays the only pod labeled leader=yes, and the Service never routes to another
     * pod. Returns how long the Service had no endpoint at all: a pod is ready only while all of its containers are,
     * the labeler included, so the leader is out of the Service while its labeler restarts (or until a restarted
     * kubelet has probed it again), even though its label never changes.
     */
    private static long watchLeadership(NodeExample example, Pod leader, Duration watch) throws InterruptedException {
        String name = leader.getMetadata().getName();
        String address = leader.getStatus().getPodIP();
        long end = System.nanoTime() + watch.toNanos();
        long unrouted = 0;
        long previous = System.nanoTime();
        while (System.nanoTime() < end) {
            assertThat(example.leaders()).extracting(p -> p.getMetadata().getName()).containsExactly(name);
            Set<String> endpoints = example.endpoints();
            assertThat(endpoints).isSubsetOf(address);
            long now = System.nanoTime();
            if (endpoints.isEmpty()) {
                unrouted += now - previous;
            }
            previous = now;
            Thread.sleep(100);
        }
        Await.untilTrue(name + " the Service's endpoint again", FAILOVER,
                () -> example.endpoints().equals(Set.of(address)), example::describe);
        return millis(unrouted);
    }

    /** Until a STOMP client that dials the ClusterIP gets a receipt for a persistent send. */
    private static void awaitStompReceipt(String clusterIp, int failover) {
        AtomicReference<Exception> last = new AtomicReference<>();
        Await.untilTrue("a STOMP receipt through " + clusterIp, FAILOVER, () -> {
            try (StompConnection stomp = StompConnection.open(clusterIp, ClientTraffic.STOMP_PORT)) {
                stomp.sendPersistent("/queue/real-node.probe", "failover " + failover, "probe-" + failover);
                return true;
            } catch (IOException | IllegalStateException notYet) {
                last.set(notYet);
                return false;
            }
        }, () -> "last failure: " + last.get());
    }

    private static long millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }

    /**
     * Trusts any server certificate, host name included: the webhook's --dev certificate names only localhost, and
     * this test proves routing. (An X509ExtendedTrustManager is what the JDK asks to check the host name too.)
     */
    private static final class AnyCertificate extends X509ExtendedTrustManager {
        static HttpClient client() throws GeneralSecurityException {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new AnyCertificate()}, null);
            return HttpClient.newBuilder().sslContext(tls).proxy(HttpClient.Builder.NO_PROXY)
                    .connectTimeout(Duration.ofSeconds(2)).build();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
