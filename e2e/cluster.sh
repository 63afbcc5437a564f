#!/bin/sh
# A local cluster of this project, like kind: the test control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler) and one real node (containerd, runc, kubelet, kube-proxy), all in network, mount and PID namespaces
# of their own; the three images built from this repository; deploy/install applied as shipped; the example
# (deploy/examples/activemq-nfs through e2e/node/example) running.
#
#   e2e/cluster.sh up               builds or reuses everything, starts the cluster, waits until the install and the
#                                   example run; prints the kubeconfig's path as its last line. Reuses a running one.
#   e2e/cluster.sh run -- CMD...    runs CMD in the cluster's network namespace with KUBECONFIG set and the release's
#                                   kubectl first on PATH; exits with CMD's status.
#   e2e/cluster.sh down             stops everything and removes all state (processes, mounts, containers, links,
#                                   cgroups, kernel settings as they were).
#
# Addresses exist only inside the cluster's network namespace, so use `run` for anything that talks to it, e.g.
#   e2e/cluster.sh run -- kubectl get pods -A -o wide
#
# Needs root, and what .ci/setup installs (Java 17, Maven, Go on the first run, buildah, mmdebstrap, containerd, runc,
# CNI plugins, catatonit, iptables, conntrack, iproute2, util-linux). The first `up` builds the control plane and node
# binaries (~10 min) and the images (~5 min); later ones reuse them.
#
# Environment:
#   ACTIVEMQ_HA_CLUSTER_DIR        the cluster's state: pid, kubeconfig, the harness's class path, logs
#                                  (default e2e/target/cluster)
#   ACTIVEMQ_HA_CONTROL_PLANE      the control plane and node binaries (default: what e2e/control-plane.sh --node prints)
#   ACTIVEMQ_HA_IMAGES             a directory of image archives already built by e2e/images.sh (default: build them)
#   ACTIVEMQ_HA_CLUSTER_CLASSPATH  the e2e harness's class path (default: build it with Maven)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=${ACTIVEMQ_HA_CLUSTER_DIR:-$root/e2e/target/cluster}

usage() {
    echo "usage: e2e/cluster.sh up | run -- CMD... | down" >&2
    exit 2
}

running_pid() {
    [ -f "$state/pid" ] || return 1
    pid=$(cat "$state/pid")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

up() {
    if pid=$(running_pid) && [ -f "$state/ready" ]; then
        echo "cluster: already running (pid $pid)" >&2
        echo "$state/kubeconfig"
        return
    fi
    if running_pid >/dev/null; then
        echo "cluster: a cluster is starting or failed to start; run e2e/cluster.sh down first" >&2
        exit 1
    fi
    [ "$(id -u)" = 0 ] || { echo "cluster: needs root (the node runs containers)" >&2; exit 1; }
    for tool in java mvn unshare nsenter ip buildah containerd runc catatonit iptables; do
        command -v "$tool" >/dev/null 2>&1 || { echo "cluster: missing $tool (sudo bash .ci/setup installs it)" >&2; exit 1; }
    done
    binaries=${ACTIVEMQ_HA_CONTROL_PLANE:-$(e2e/control-plane.sh --node | tail -n1)}
    images=${ACTIVEMQ_HA_IMAGES:-$(e2e/images.sh --out "$root/e2e/target/images" | tail -n1)}
    classpath=${ACTIVEMQ_HA_CLUSTER_CLASSPATH:-}
    if [ -z "$classpath" ]; then
        echo "cluster: building the e2e harness (mvn install, tests skipped)..." >&2
        mvn -B -ntp -q -Pe2e -DskipTests -Dexec.skip=true -pl e2e -am install >&2
        classpath_file=$root/e2e/target/cluster.classpath
        mvn -B -ntp -q -Pe2e -pl e2e dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2
        classpath=$root/e2e/target/classes:$(cat "$classpath_file")
    fi
    rm -rf "$state"
    mkdir -p "$state"
    echo "$binaries" >"$state/binaries"
    # For programs run in the cluster with the harness (e2e/demo.sh).
    echo "$classpath" >"$state/classpath"
    # The JVM: E2E_JAVA (the e2e tests set it), else $JAVA_HOME/bin/java, else java on the PATH.
    java=${E2E_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/java}}
    # A session of its own, so that the terminal's Ctrl-C does not reach it; `down` stops it.
    E2E_JAVA=${java:-$(command -v java)} ACTIVEMQ_HA_CONTROL_PLANE=$binaries setsid e2e/netns/bin/java \
        -Dactivemq.ha.project.root="$root" -cp "$classpath" \
        io.activemqha.e2e.node.Cluster "$root" "$state" "$images" >"$state/cluster.log" 2>&1 </dev/null &
    echo $! >"$state/pid"
    echo "cluster: starting (log: $state/cluster.log)" >&2
    while [ ! -f "$state/ready" ]; do
        if ! running_pid >/dev/null; then
            tail -n 40 "$state/cluster.log" >&2
            echo "cluster: failed to start (log: $state/cluster.log)" >&2
            rm -f "$state/pid"
            exit 1
        fi
        sleep 1
    done
    grep '^cluster:' "$state/cluster.log" >&2 || true
    echo "$state/kubeconfig"
}

run() {
    pid=$(running_pid) && [ -f "$state/ready" ] || { echo "cluster: not running (e2e/cluster.sh up)" >&2; exit 1; }
    [ $# -gt 0 ] || usage
    binaries=$(cat "$state/binaries")
    exec nsenter --target "$pid" --net -- env KUBECONFIG="$state/kubeconfig" PATH="$binaries:$PATH" "$@"
}

down() {
    if pid=$(running_pid); then
        kill -TERM "$pid"
        tries=0
        while kill -0 "$pid" 2>/dev/null; do
            tries=$((tries + 1))
            [ "$tries" -lt 180 ] || { echo "cluster: pid $pid did not stop in 180 s" >&2; exit 1; }
            sleep 1
        done
        grep '^cluster: stop' "$state/cluster.log" >&2 || true
    fi
    rm -rf "$state"
    echo "cluster: down" >&2
}

[ $# -gt 0 ] || usage
command=$1
shift
case "$command" in
    up) [ $# -eq 0 ] || usage; up ;;
    run) [ "${1:-}" = "--" ] && shift; run "$@" ;;
    down) [ $# -eq 0 ] || usage; down ;;
    *) usage ;;
esac
