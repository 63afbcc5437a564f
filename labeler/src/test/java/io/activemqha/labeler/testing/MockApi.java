package io.activemqha.labeler.testing;

import io.activemqha.common.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Kubernetes API of the tests: fabric8's mock server in CRUD mode over HTTPS on a loopback port. The
 * labelers reach it through an ordinary kubeconfig file, as they would reach a real cluster. It can be
 * stopped and started again on the same port with its objects kept (one dispatcher holds them).
 */
public final class MockApi implements AutoCloseable {
    /** User-Agent of the tests' own client, so that the RBAC audit sees only the labelers' requests. */
    public static final String TEST_USER_AGENT = "activemq-ha-labeler-tests";

    // The mock server logs every request at INFO through java.util.logging; held so the setting sticks.
    private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

    private final KubernetesCrudDispatcher store = new KubernetesCrudDispatcher();
    /** Scripted responses served before the CRUD store answers (only in the mixed mode). */
    private final Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> scripted =
            new HashMap<>();
    private final boolean mixed;
    private final List<RecordedRequest> recorded = new ArrayList<>();
    private final int port;
    private KubernetesMockServer server;
    private final KubernetesClient client;

    /** CRUD mode: the objects live in the server, as in a cluster. */
    public MockApi() {
        this(false);
    }

    /**
     * @param mixed also serve scripted responses ({@link #expect()}), each consumed before the CRUD store answers;
     *              such a server cannot be {@link #restart()}ed
     */
    public MockApi(boolean mixed) {
        this.mixed = mixed;
        server = newServer();
        server.init(InetAddress.getLoopbackAddress(), 0);
        port = server.getPort();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://127.0.0.1:" + port)
                .withTrustCerts(true)
                .withUserAgent(TEST_USER_AGENT)
                .withRequestRetryBackoffLimit(0)
                .build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.WARNING);
        return logger;
    }

    private KubernetesMockServer newServer() {
        if (mixed) {
            return new KubernetesMockServer(new Context(), new MockWebServer(), scripted,
                    new io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher(scripted), true);
        }
        return new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), store, true);
    }

    /** Scripts responses (mixed mode only). */
    public io.fabric8.mockwebserver.dsl.MockServerExpectation expect() {
        if (!mixed) {
            throw new IllegalStateException("scripted responses need new MockApi(true)");
        }
        return server.expect();
    }

    public int port() {
        return port;
    }

    /** The tests' own client (never handed to a labeler). */
    public KubernetesClient client() {
        return client;
    }

    /** Writes a kubeconfig pointing at this server, as a developer's would point at a cluster. */
    public Path writeKubeconfig(Path dir, String namespace) throws IOException {
        Path file = dir.resolve("kubeconfig-" + namespace);
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: https://127.0.0.1:%d
                    insecure-skip-tls-verify: true
                users:
                - name: labeler
                  user:
                    token: labeler-token
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: labeler
                    namespace: %s
                current-context: test
                """.formatted(port, namespace));
        return file;
    }

    /** Stops serving (connections refused) while keeping every object. */
    public synchronized void stop() {
        drain();
        server.destroy();
    }

    /** Serves again on the same port with the same objects. */
    public synchronized void restart() {
        if (mixed) {
            throw new IllegalStateException("a mixed-mode server keeps its objects in its dispatcher: no restart");
        }
        server = newServer();
        server.init(InetAddress.getLoopbackAddress(), port);
    }

    /** Creates a pod of {@code group}, optionally with a {@code leader} label already set. */
    public Pod createPod(String namespace, String name, String group, String leader) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Labels.GROUP, group).addToLabels("app", "broker").endMetadata()
                .withNewSpec().addNewContainer().withName("broker").withImage("apache/activemq-classic").endContainer().endSpec();
        if (leader != null) {
            pod.editMetadata().addToLabels(Labels.LEADER, leader).endMetadata();
        }
        return client.pods().inNamespace(namespace).resource(pod.build()).create();
    }

    public String leaderLabel(String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        return pod == null || pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(Labels.LEADER);
    }

    public Map<String, String> labels(String namespace, String name) {
        return client.pods().inNamespace(namespace).withName(name).get().getMetadata().getLabels();
    }

    /** Every request the server has received so far (from all its incarnations), and forgets them. */
    public synchronized List<RecordedRequest> takeRequests() {
        drain();
        List<RecordedRequest> all = new ArrayList<>(recorded);
        recorded.clear();
        return all;
    }

    private void drain() {
        try {
            RecordedRequest r;
            while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                recorded.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        client.close();
        server.destroy();
    }
}
