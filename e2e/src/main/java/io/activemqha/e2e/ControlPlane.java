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
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A real Kubernetes control plane of local processes: etcd, kube-apiserver and kube-controller-manager, with
 * ephemeral ports, in the test's network namespace (which holds only loopback until a test adds to it). Clients on
 * this machine use 127.0.0.1; the API server also listens on {@link #HOST_ADDRESS} and publishes it as the endpoint
 * of the {@code kubernetes} Service, which is where pods on a real node ({@code node.RealNode}) reach it once that
 * node brings the address up. Until then there is no kubelet and no kube-proxy: pods stay Pending and Service IPs
 * are only stored, never routed. {@link #close()} stops every process and deletes the data and keys.
 */
public final class ControlPlane implements AutoCloseable {
    /** Service IPs are allocated from TEST-NET-2 (RFC 5737): documentation-only, and nothing here routes or dials it. */
    public static final String SERVICE_CLUSTER_IP_RANGE = "198.51.100.0/24";
    /** The ClusterIP of the {@code kubernetes} Service: the first address of the range. */
    public static final String KUBERNETES_SERVICE_IP = "198.51.100.1";
    /**
     * The API server's address for pods: the endpoint of the {@code kubernetes} Service, and the address a real node
     * puts on an interface of its own (and takes as its node IP).
     */
    public static final String HOST_ADDRESS = "10.214.255.1";
    /** Controllers the tests rely on; everything else (node, cloud, volume, CSR...) stays off. */
    public static final String CONTROLLERS = String.join(",", "deployment-controller", "replicaset-controller",
            "endpointslice-controller", "serviceaccount-controller", "serviceaccount-token-controller",
            "namespace-controller", "garbage-collector-controller", "root-ca-certificate-publisher-controller",
            // the install's certs Job and CronJob, and its webhook's PodDisruptionBudget status, on a real node
            "job-controller", "cronjob-controller", "ttl-after-finished-controller", "disruption-controller",
            // the example's brokers as a StatefulSet (e2e/node/statefulset)
            "statefulset-controller",
            // type-checks ValidatingAdmissionPolicy CEL against the schemas and reports it in the policy's status
            "validatingadmissionpolicy-status-controller",
            // remove the protection finalizers admission puts on claims and volumes, so deleting them completes
            "persistentvolumeclaim-protection-controller", "persistentvolume-protection-controller",
            // binds the example's claim to its PersistentVolume, so a real kubelet mounts it
            "persistentvolume-binder-controller");
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static final int LOG_TAIL = 40;

    private final Path runDirectory;
    private final List<ChildProcess> processes;
    private final ControlPlanePki pki;
    private final String server;
    private final Path adminKubeconfig;
    private final Kubectl kubectl;
    private final KubernetesClient client;

    private ControlPlane(Path runDirectory, List<ChildProcess> processes, ControlPlanePki pki, String server,
                         Path adminKubeconfig, KubernetesClient client) {
        this.runDirectory = runDirectory;
        this.processes = List.copyOf(processes);
        this.pki = pki;
        this.server = server;
        this.adminKubeconfig = adminKubeconfig;
        this.kubectl = new Kubectl(Kubectl.defaultBinary(), adminKubeconfig);
        this.client = client;
    }

    /**
     * Starts the control plane and waits until the API server is ready and the controller manager works; on failure
     * stops whatever already runs and deletes the keys and data before rethrowing.
     *
     * @param logDirectory where the components' logs go (kept after {@link #close()} for diagnosis)
     */
    public static ControlPlane start(ControlPlaneBinaries binaries, Path logDirectory) {
        NetworkIsolation.requireLoopbackOnly();
        Path runDirectory;
        try {
            runDirectory = Files.createTempDirectory("activemq-ha-e2e-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the control plane's directory", e);
        }
        List<ChildProcess> processes = new ArrayList<>();
        KubernetesClient client = null;
        try {
            ControlPlanePki pki = ControlPlanePki.generate(runDirectory.resolve("pki"));
            String etcdUrl = startEtcd(binaries, runDirectory, logDirectory, processes);
            String server = "https://127.0.0.1:" + LoopbackPorts.free();
            Path adminKubeconfig = write(runDirectory.resolve("admin.kubeconfig"),
                    Kubeconfig.withClientCertificate(server, pki.caCertificate(), pki.admin()));
            startApiServer(binaries, runDirectory, logDirectory, processes, pki, etcdUrl, server,
                    new Kubectl(Kubectl.defaultBinary(), adminKubeconfig));
            ChildProcess controllerManager = startControllerManager(binaries, runDirectory, logDirectory, processes, pki,
                    write(runDirectory.resolve("controller-manager.kubeconfig"),
                            Kubeconfig.withClientCertificate(server, pki.caCertificate(), pki.controllerManager())));
            client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(adminKubeconfig.toFile())).build();
            awaitDefaultServiceAccount(client, controllerManager);
            return new ControlPlane(runDirectory, processes, pki, server, adminKubeconfig, client);
        } catch (RuntimeException | Error e) {
            try {
                stop(client, processes, runDirectory);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
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
    public Path writeKubeconfig(String name, PemKeyPairFiles clientCertificate) {
        return writeKubeconfig(runDirectory.resolve(name + ".kubeconfig"), clientCertificate);
    }

    /** Writes {@code file}: a kubeconfig for another client certificate of the control plane's CA. */
    public Path writeKubeconfig(Path file, PemKeyPairFiles clientCertificate) {
        return write(file, Kubeconfig.withClientCertificate(server, pki.caCertificate(), clientCertificate));
    }

    /**
     * {@code kubectl delete -k directory}, then waits until {@code namespace}, which the kustomization holds, is gone
     * (so that an apply after it starts from nothing).
     *
     * @param detail what to print if the namespace is still there after {@code timeout}
     */
    public void deleteKustomization(Path directory, String namespace, Duration timeout, Supplier<String> detail) {
        kubectl().succeed("delete", "-k", directory.toString(), "--ignore-not-found", "--wait=false");
        Await.untilTrue("namespace " + namespace + " deleted", timeout,
                () -> client.namespaces().withName(namespace).get() == null, detail);
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

    private static String startEtcd(ControlPlaneBinaries binaries, Path runDirectory, Path logDirectory,
                                    List<ChildProcess> processes) {
        String etcdUrl = "http://127.0.0.1:" + LoopbackPorts.free();
        String peerUrl = "http://127.0.0.1:" + LoopbackPorts.free();
        ChildProcess etcd = launch(processes, "etcd", logDirectory, List.of(binaries.etcd().toString(),
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
        return etcdUrl;
    }

    private static void startApiServer(ControlPlaneBinaries binaries, Path runDirectory, Path logDirectory,
                                       List<ChildProcess> processes, ControlPlanePki pki, String etcdUrl, String server,
                                       Kubectl admin) {
        ChildProcess apiServer = launch(processes, "kube-apiserver", logDirectory, List.of(
                binaries.kubeApiserver().toString(),
                "--etcd-servers=" + etcdUrl,
                // Every address of the test's own network namespace: loopback, and HOST_ADDRESS once a node adds it.
                "--bind-address=0.0.0.0",
                "--advertise-address=" + HOST_ADDRESS,
                "--secure-port=" + URI.create(server).getPort(),
                "--cert-dir=" + runDirectory.resolve("apiserver"),
                "--tls-cert-file=" + pki.apiServerServing().certificate(),
                "--tls-private-key-file=" + pki.apiServerServing().key(),
                "--client-ca-file=" + pki.caCertificate(),
                "--authorization-mode=Node,RBAC",
                "--service-account-issuer=" + server,
                "--service-account-key-file=" + pki.serviceAccountPublicKey(),
                "--service-account-signing-key-file=" + pki.serviceAccountKey(),
                "--service-cluster-ip-range=" + SERVICE_CLUSTER_IP_RANGE,
                // The "kubernetes" Service's endpoint is HOST_ADDRESS:<secure port>, kept by a lease like in a cluster.
                "--endpoint-reconciler-type=lease",
                "--enable-admission-plugins=NodeRestriction,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,"
                        + "ValidatingAdmissionPolicy",
                "--allow-privileged=true",
                // kubectl logs/exec reach a node's kubelet at its address: nothing resolves the node's host name here.
                "--kubelet-preferred-address-types=InternalIP",
                "--profiling=false"));
        Await.untilTrue("kube-apiserver /readyz", STARTUP, () -> {
            requireAlive(apiServer);
            return admin.run("get", "--raw=/readyz").succeeded();
        }, () -> admin.run("get", "--raw=/readyz?verbose").stdout() + "\n" + apiServer.logTail(LOG_TAIL));
    }

    private static ChildProcess startControllerManager(ControlPlaneBinaries binaries, Path runDirectory,
                                                       Path logDirectory, List<ChildProcess> processes,
                                                       ControlPlanePki pki, Path kubeconfig) {
        return launch(processes, "kube-controller-manager", logDirectory, List.of(
                binaries.kubeControllerManager().toString(),
                "--kubeconfig=" + kubeconfig,
                "--authentication-kubeconfig=" + kubeconfig,
                "--authorization-kubeconfig=" + kubeconfig,
                "--bind-address=127.0.0.1",
                "--secure-port=" + LoopbackPorts.free(),
                "--cert-dir=" + runDirectory.resolve("controller-manager"),
                "--controllers=" + CONTROLLERS,
                "--service-account-private-key-file=" + pki.serviceAccountKey(),
                "--root-ca-file=" + pki.caCertificate(),
                "--use-service-account-credentials=true",
                "--leader-elect=false"));
    }

    // The service-account controller creating "default" proves the controller manager is connected and working.
    private static void awaitDefaultServiceAccount(KubernetesClient client, ChildProcess controllerManager) {
        Await.untilTrue("kube-controller-manager to create ServiceAccount default/default", STARTUP, () -> {
            requireAlive(controllerManager);
            return client.serviceAccounts().inNamespace("default").withName("default").get() != null;
        }, () -> controllerManager.logTail(LOG_TAIL));
    }

    private static ChildProcess launch(List<ChildProcess> processes, String name, Path logDirectory, List<String> command) {
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
        stop(client, processes, runDirectory);
    }

    private static void stop(KubernetesClient client, List<ChildProcess> processes, Path runDirectory) {
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
            Directories.deleteRecursively(runDirectory);
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
}
