package io.activemqha.e2e.node;

import java.nio.file.Path;

/**
 * The configuration files of the test node's components, each what that component needs to run here: no systemd
 * (cgroupfs driver), cgroup v1 allowed, no swap check, no eviction on a full shared disk, and no lowering of
 * oom_score_adj (this VM does not grant CAP_SYS_RESOURCE, and runc then fails to start the sandbox).
 */
final class NodeConfiguration {
    private NodeConfiguration() {
    }

    /** containerd 1.6: its data under {@code work}, its socket and state in the node's private /run. */
    static String containerd(Path work, String sandboxImage) {
        return """
                version = 2
                root = "%1$s/containerd"
                state = "/run/containerd"
                disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", \
                "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

                [grpc]
                  address = "/run/containerd/containerd.sock"

                [plugins."io.containerd.internal.v1.opt"]
                  path = "%1$s/containerd-opt"

                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%2$s"
                  restrict_oom_score_adj = true
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "%1$s/cni"
                """.formatted(work, sandboxImage);
    }

    /** A bridge with the pods' gateway; addresses from host-local, whose state lives in the node's private /run. */
    static String cni(String bridge, String subnet) {
        return """
                {
                  "cniVersion": "0.4.0",
                  "name": "e2e-node",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": true,
                      "ipMasq": false,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": "%s"}]],
                        "routes": [{"dst": "0.0.0.0/0"}],
                        "dataDir": "/run/cni-ipam"
                      }
                    },
                    {"type": "portmap", "capabilities": {"portMappings": true}}
                  ]
                }
                """.formatted(bridge, subnet);
    }

    /**
     * kubelet: its servers on the node's address only; anonymous access to its own API (test only: the API server
     * reaches it for logs and exec without a client certificate of its own).
     */
    static String kubelet(String nodeIp, Path clientCa) {
        return """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                address: %1$s
                healthzBindAddress: %1$s
                readOnlyPort: 0
                authentication:
                  anonymous: {enabled: true}
                  webhook: {enabled: false}
                  x509: {clientCAFile: %2$s}
                authorization: {mode: AlwaysAllow}
                cgroupDriver: cgroupfs
                failCgroupV1: false
                failSwapOn: false
                containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                evictionHard: {memory.available: "0%%", nodefs.available: "0%%", nodefs.inodesFree: "0%%", imagefs.available: "0%%"}
                localStorageCapacityIsolation: false
                resolvConf: ""
                serializeImagePulls: false
                clusterDomain: cluster.local
                """.formatted(nodeIp, clientCa);
    }

    /**
     * kube-proxy in iptables mode; it leaves the machine-wide conntrack table size and timeouts alone (they are not
     * namespaced).
     */
    static String kubeProxy(String nodeIp, String podSubnet, Path kubeconfig) {
        return """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                mode: iptables
                clientConnection: {kubeconfig: %3$s}
                clusterCIDR: %2$s
                bindAddress: %1$s
                healthzBindAddress: %1$s:10256
                metricsBindAddress: %1$s:10249
                conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
                """.formatted(nodeIp, podSubnet, kubeconfig);
    }
}
