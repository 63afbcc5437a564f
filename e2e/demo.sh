#!/bin/sh
# One-command local failover demo on a real local cluster (e2e/cluster.sh: the test control plane and one real node,
# containerd + runc + kubelet + kube-proxy, all in namespaces of their own; the images built from this repository;
# deploy/install applied as shipped and the example running). It SIGKILLs the broker container of the leader a few
# times and prints who is leader=yes and what the Service's endpoints are as they change, when the Service's ClusterIP
# takes connections again, and when the kubelet has restarted the killed broker as the new standby.
#
#   e2e/demo.sh [kills]          default 3 kills
#
# A cluster already running (e2e/cluster.sh up) is used and left running; otherwise the demo starts one and takes it
# down at the end. Needs root and what .ci/setup installs; the first run builds the control plane and node binaries
# (~10 min) and the images (~5 min), later ones reuse them (e2e/cluster.sh's header has the details).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=${ACTIVEMQ_HA_CLUSTER_DIR:-$root/e2e/target/cluster}

if e2e/cluster.sh run -- true 2>/dev/null; then
    echo "demo: using the running cluster (e2e/cluster.sh down stops it)" >&2
else
    echo "demo: starting a cluster (e2e/cluster.sh up; taken down at the end)..." >&2
    trap 'e2e/cluster.sh down' EXIT
    trap 'exit 130' INT TERM
    e2e/cluster.sh up >/dev/null
fi
java=${E2E_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/java}}
e2e/cluster.sh run -- "${java:-$(command -v java)}" -cp "$(cat "$state/classpath")" \
    io.activemqha.e2e.node.FailoverDemo "${1:-3}"
