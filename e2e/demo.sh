#!/bin/sh
# One-command local failover demo: a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager
# built from Go modules by e2e/control-plane.sh), the activemq-ha webhook, and the example's two ActiveMQ pods run by
# the e2e process kubelet, each in a network namespace of its own. It SIGKILLs the leader's broker a few times and
# prints who is leader=yes and what the Service's endpoints are, as they change. Everything runs in a network
# namespace holding only loopback plus the pod bridge it creates; everything is stopped at the end.
#
#   e2e/demo.sh [kills]          default 3 kills
#
# Needs: Java 17+, Maven, Go (first run only: ~8 min to build the control plane), unshare and ip, and root or
# unprivileged user namespaces. .ci/setup installs what is missing on Debian. DEMO_SKIP_BUILD=1 reuses the jars
# already built.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

missing=""
for tool in java mvn unshare ip; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
    echo "demo: missing:$missing (on Debian: sudo bash .ci/setup installs them)" >&2
    exit 1
fi

ACTIVEMQ_HA_CONTROL_PLANE=${ACTIVEMQ_HA_CONTROL_PLANE:-$(e2e/control-plane.sh | tail -n1)}
export ACTIVEMQ_HA_CONTROL_PLANE
if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
    echo "building the product jars and the e2e harness (mvn package, tests skipped)..."
    # -Dexec.skip: the demo needs neither the images nor the node binaries that the e2e profile also builds.
    mvn -B -ntp -q -Pe2e -DskipTests -Dexec.skip=true -pl labeler,e2e -am install
fi
# Maven resolves outputFile against the module's directory: an absolute path says where it goes.
classpath_file=$root/e2e/target/demo.classpath
mvn -B -ntp -q -Pe2e -pl e2e dependency:build-classpath -Dmdep.outputFile="$classpath_file"
classpath=$(cat "$classpath_file")
java=${JAVA_HOME:+$JAVA_HOME/bin/java}
E2E_JAVA=${java:-$(command -v java)} exec e2e/netns/bin/java -cp "e2e/target/classes:$classpath" \
    io.activemqha.e2e.failover.FailoverDemo "$root" "${1:-3}"
