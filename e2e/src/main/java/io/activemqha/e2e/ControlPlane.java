package io.activemqha.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestSpecBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane of local processes: etcd, kube-apiserver and kube-controller-manager, all on
 * 127.0.0.1 with ephemeral ports. There is no kubelet and no kube-proxy, so pods stay Pending and Service IPs are
 * only ever stored, never routed. {@link #close()} stops every process and deletes the data and keys.
 */
public final class ControlPlane implements AutoCloseable {
    /** Service IPs are allocated from TEST-NET-2 (RFC 5737): documentation-only, and nothing here routes or dials it. */
    public static final String SERVICE_CLUSTER_IP_RANGE = "198.51.100.0/24";
    /** Controllers the tests rely on; everything else (node, cloud, volume, CSR...) stays off. */
    public static final String CONTROLLERS = String.join(",", "deployment-controller", "replicaset-controller",
            "endpointslice-controller", "serviceaccount-controller", "serviceaccount-token-controller",
            "namespace-controller", "garbage-collector-controller", "root-ca-certificate-publisher-controller",
            // type-checks ValidatingAdmissionPolicy CEL against the schemas and reports it in the policy's status
            "validatingadmissionpolicy-status-controller");
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final int LOG_TAIL = 40;

    private final Path runDirectory;
    private final List<ChildProcess> processes = new ArrayList<>();
    private ControlPlanePki pki;
    private String server;
    private Path adminKubeconfig;
    private Kubectl kubectl;
    private KubernetesClient client;

    private ControlPlane(Path runDirectory) {
        this.runDirectory = runDirectory;
    }

    /**
     * Starts the control plane and waits until the API server is ready and the controller manager works.
     *
     * @param logDirectory where the components' logs go (kept after {@link #close()} for diagnosis)
     */
    public static ControlPlane start(ControlPlaneBinaries binaries, Path logDirectory) {
        NetworkIsolation.requireLoopbackOnly();
        ControlPlane plane;
        try {
            plane = new ControlPlane(Files.createTempDirectory("activemq-ha-e2e-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the control plane's directory", e);
        }
        try {
            plane.boot(binaries, logDirectory);
            return plane;
        } catch (RuntimeException | Error e) {
            plane.close();
            throw e;
        }
    }

    /** The API server's URL, {@code https://127.0.0.1:<port>}. */
    public String server() {
        return server;
    }

    /** A kubeconfig of a cluster admin (client certificate in group system:masters). */
    public Path adminKubeconfig() {
        return adminKubeconfig;
    }

    /** The CA that signed the API server's certificate and that authenticates client certificates. */
    public ControlPlanePki pki() {
        return pki;
    }

    /** kubectl with the admin kubeconfig. */
    public Kubectl kubectl() {
        return kubectl;
    }

    /** Runs {@code kubectl args...} as admin and returns the result. */
    public CommandResult kubectl(String... args) {
        return kubectl.run(args);
    }

    /** A fabric8 client authenticated as admin (owned by this control plane: do not close it). */
    public KubernetesClient client() {
        return client;
    }

    /**
     * Writes a kubeconfig for another client certificate of the control plane's CA (e.g. a component the test runs).
     */
    public Path writeKubeconfig(String name, CertificateFiles clientCertificate) {
        return write(runDirectory.resolve(name + ".kubeconfig"),
                Kubeconfig.withClientCertificate(server, pki.caCertificate(), clientCertificate));
    }

    /**
     * Writes a kubeconfig that authenticates as ServiceAccount {@code namespace/name} with a token from the
     * TokenRequest API (valid one hour, audience the API server), so a local process runs with exactly that
     * account's RBAC.
     */
    public Path writeServiceAccountKubeconfig(String namespace, String name) {
        return writeTokenKubeconfig(namespace + "-" + name, serviceAccountToken(namespace, name, null));
    }

    /**
     * A token of ServiceAccount {@code namespace/name} from the TokenRequest API, valid one hour; bound to
     * {@code pod} unless null, as the kubelet's projected token volume binds it (the API server then reports the
     * pod's name and uid in the requester's user info, and the token dies with the pod).
     */
    public String serviceAccountToken(String namespace, String name, Pod pod) {
        Await.untilTrue("ServiceAccount " + namespace + "/" + name, STARTUP,
                () -> client.serviceAccounts().inNamespace(namespace).withName(name).get() != null, () -> "absent");
        TokenRequestSpecBuilder spec = new TokenRequestSpecBuilder().withExpirationSeconds(3600L);
        if (pod != null) {
            spec.withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid()).endBoundObjectRef();
        }
        return client.serviceAccounts().inNamespace(namespace).withName(name)
                .tokenRequest(new TokenRequestBuilder().withSpec(spec.build()).build())
                .getStatus().getToken();
    }

    /** Writes a kubeconfig (named {@code name}) that authenticates with bearer token {@code token}. */
    public Path writeTokenKubeconfig(String name, String token) {
        return write(runDirectory.resolve(name + ".kubeconfig"), Kubeconfig.withToken(server, pki.caCertificate(), token));
    }

    /** A directory for a test's own files, deleted with the control plane. */
    public Path newDirectory(String prefix) {
        try {
            return Files.createTempDirectory(runDirectory, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The processes of the control plane, in start order. */
    public List<ChildProcess> processes() {
        return List.copyOf(processes);
    }

    private void boot(ControlPlaneBinaries binaries, Path logDirectory) {
        pki = ControlPlanePki.generate(runDirectory.resolve("pki"));

        int etcdClientPort = LoopbackPorts.free();
        int etcdPeerPort = LoopbackPorts.free();
        String etcdUrl = "http://127.0.0.1:" + etcdClientPort;
        String peerUrl = "http://127.0.0.1:" + etcdPeerPort;
        ChildProcess etcd = launch("etcd", logDirectory, List.of(binaries.etcd().toString(),
                "--name=e2e",
                "--data-dir=" + runDirectory.resolve("etcd"),
                "--listen-client-urls=" + etcdUrl,
                "--advertise-client-urls=" + etcdUrl,
                "--listen-peer-urls=" + peerUrl,
                "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=e2e=" + peerUrl,
                "--initial-cluster-state=new",
                // Throwaway data: durability on power loss is irrelevant, fsync latency on a shared disk is not.
                "--unsafe-no-fsync=true"));
        awaitEtcdHealthy(etcd, etcdUrl);

        int apiPort = LoopbackPorts.free();
        server = "https://127.0.0.1:" + apiPort;
        ChildProcess apiServer = launch("kube-apiserver", logDirectory, List.of(binaries.kubeApiserver().toString(),
                "--etcd-servers=" + etcdUrl,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiPort,
                "--cert-dir=" + runDirectory.resolve("apiserver"),
                "--tls-cert-file=" + pki.apiServerServing().certificate(),
                "--tls-private-key-file=" + pki.apiServerServing().key(),
                "--client-ca-file=" + pki.caCertificate(),
                "--authorization-mode=Node,RBAC",
                "--service-account-issuer=" + server,
                "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + pki.serviceAccountKey(),
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                // No reconciliation of the "kubernetes" Service's endpoints: nothing advertises or dials the address.
                "--endpoint-reconciler-type=none",
                "--enable-admission-plugins=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,"
                        + "ValidatingAdmissionPolicy",
                "--allow-privileged=true",
                "--profiling=false"));
        adminKubeconfig = writeKubeconfig("admin", pki.admin());
        kubectl = new Kubectl(Kubectl.defaultBinary(), adminKubeconfig);
        Await.untilTrue("kube-apiserver /readyz", STARTUP, () -> {
            requireAlive(apiServer);
            return kubectl.run("get", "--raw=/readyz").succeeded();
        }, () -> kubectl.run("get", "--raw=/readyz?verbose").stdout() + "\n" + apiServer.logTail(LOG_TAIL));

        Path controllerManagerKubeconfig = writeKubeconfig("controller-manager", pki.controllerManager());
        ChildProcess controllerManager = launch("kube-controller-manager", logDirectory, List.of(
                binaries.kubeControllerManager().toString(),
                "--kubeconfig=" + controllerManagerKubeconfig,
                "--authentication-kubeconfig=" + controllerManagerKubeconfig,
                "--authorization-kubeconfig=" + controllerManagerKubeconfig,
                "--bind-address=127.0.0.1",
                "--secure-port=" + LoopbackPorts.free(),
                "--cert-dir=" + runDirectory.resolve("controller-manager"),
                "--controllers=" + CONTROLLERS,
                "--service-account-private-key-file=" + pki.serviceAccountKey(),
                "--root-ca-file=" + pki.caCertificate(),
                "--use-service-account-credentials=true",
                "--leader-elect=false"));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(adminKubeconfig.toFile())).build();
        // The service-account controller creating "default" proves the controller manager is connected and working.
        Await.untilTrue("kube-controller-manager to create ServiceAccount default/default", STARTUP, () -> {
            requireAlive(controllerManager);
            return client.serviceAccounts().inNamespace("default").withName("default").get() != null;
        }, () -> controllerManager.logTail(LOG_TAIL));
    }

    private ChildProcess launch(String name, Path logDirectory, List<String> command) {
        ChildProcess process = ChildProcess.start(name, command, Map.of(), logDirectory.resolve(name + ".log"));
        processes.add(process);
        return process;
    }

    private static void awaitEtcdHealthy(ChildProcess etcd, String etcdUrl) {
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(etcdUrl + "/health")).timeout(Duration.ofSeconds(5)).build();
        Await.untilTrue("etcd " + etcdUrl + "/health", STARTUP, () -> {
            requireAlive(etcd);
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 && response.body().contains("\"health\":\"true\"");
            } catch (IOException notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, () -> etcd.logTail(LOG_TAIL));
    }

    private static void requireAlive(ChildProcess process) {
        if (!process.isAlive()) {
            throw new IllegalStateException(process.name() + " exited during startup\n" + process.logTail(LOG_TAIL));
        }
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Stops the controller manager, the API server and etcd (in that order) and deletes keys and data. */
    @Override
    public void close() {
        RuntimeException failure = null;
        if (client != null) {
            client.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (RuntimeException e) {
                failure = addTo(failure, e);
            }
        }
        try {
            deleteRecursively(runDirectory);
        } catch (RuntimeException e) {
            failure = addTo(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException addTo(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
