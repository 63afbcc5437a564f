#!/usr/bin/env bash
# Webhook benchmark: the real webhook (shaded jar started by the image's launcher with its class-data-sharing archive,
# TLS from the certs tool, RBAC provisioning off) against a
# do-nothing Vert.x TLS baseline and against the peer users would run instead, HashiCorp's vault-k8s agent injector
# (pinned VAULT_K8S_VERSION, built once from the Go module proxy by tools/go-tool.sh; it needs a Kubernetes API, so a
# real etcd + kube-apiserver from e2e/control-plane.sh runs too), all loaded by h2load over HTTP/2 and HTTP/1.1 on
# 127.0.0.1. Also measures the labeler's footprint (RSS, start-up time) afresh with a short bench/labeler/run.sh (one
# failover per standby-port mode, 3 start-up rounds per variant, 1 with --quick) whose JSON stays in the run's private
# directory; bench/results/labeler.json (the labeler's own full run) is neither read nor written.
#
# The measurement runs in a private mount + network namespace (unshare; root): its own loopback, and a tmpfs over /run
# there that receives the peer's in-cluster credentials (/var/run/secrets/kubernetes.io/serviceaccount); the host's
# network and /run are not touched.
# Writes bench/results/latest.json, bench/results/latest.svg and prints a table. Method and figures: BENCHMARKS.md.
#
# Usage: bench/run.sh [--quick] [bench.py options, e.g. --pin, --extra-webhook-flags=-XX:StartFlightRecording=...]
#   --quick  short runs (smoke test of the script; figures not for publication)
# Environment: BENCH_WEBHOOK_JAR=<jar> measures that webhook jar instead of the tree's (before/after comparisons);
#              BENCH_PEER=0 leaves the peer (and the control plane) out;
#              BENCH_OUT=<file.json> writes there (and the chart next to it) instead of bench/results/latest.json.
# Takes about 10 minutes, 2 to 3 of them the labeler's (plus the build on a clean tree). Needs root or sudo only
# when h2load is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

out=${BENCH_OUT:-bench/results/latest.json}
options=()
labeler_rounds=3
for arg in "$@"; do
    if [ "$arg" = --quick ]; then
        options+=(--warm-up 10 --duration 3 --latency-duration 4 --rounds 1 --starts 1)
        labeler_rounds=1
        export BENCH_REVIEW_WARM_UP=5
    else
        options+=("$arg")
    fi
done

# Never offline: on a fresh machine the plugins may not have been downloaded yet, and a failed offline try followed by
# an online one hid real build errors behind a second build.
mvn_build() {
    mvn -B -ntp -q "$@"
}
stale() { # jar, sources...
    [ ! -f "$1" ] || [ -n "$(find "${@:2}" -newer "$1" -type f -print -quit 2>/dev/null)" ]
}

if [ -z "${BENCH_WEBHOOK_JAR:-}" ] && { stale webhook/target/activemq-ha-webhook.jar common/src common/pom.xml certs/src certs/pom.xml webhook/src webhook/pom.xml \
        || stale certs/target/activemq-ha-certs.jar common/src certs/src certs/pom.xml; }; then
    echo "building common, certs and webhook..."
    mvn_build -pl common,certs,webhook -am package -DskipTests
fi
if stale bench/target/activemq-ha-bench-baseline.jar bench/src bench/pom.xml; then
    echo "building the baseline server..."
    mvn_build -f bench/pom.xml package
fi

if ! command -v h2load >/dev/null; then
    echo "installing h2load (Debian package nghttp2-client)..."
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    apt-cache policy nghttp2-client | grep -q 'Candidate: [0-9]' || $sudo apt-get update -q
    $sudo apt-get install -y -q nghttp2-client
fi

peer_options=()
VAULT_K8S_VERSION=v1.6.2
if [ "${BENCH_PEER:-1}" != 0 ]; then
    vault_k8s=$(tools/go-tool.sh --name vault-k8s --cmd . "github.com/hashicorp/vault-k8s@$VAULT_K8S_VERSION" | tail -n 1)
    control_plane=$(e2e/control-plane.sh | tail -n 1)
    peer_options=(--peer-binary "$vault_k8s/vault-k8s" --peer-version "$VAULT_K8S_VERSION" --control-plane "$control_plane")
fi

# Private copies: another build replacing the jars mid-run must not change what is measured.
run=bench/target/run-$$
mkdir -p "$run/tls"
trap 'rm -rf "$run"' EXIT

# The labeler's RSS and start-up time, measured fresh by every run (before the webhook's load).
echo "labeler footprint: bench/labeler/run.sh 1 $labeler_rounds $run/labeler.json..."
bench/labeler/run.sh 1 "$labeler_rounds" "$run/labeler.json"

cp "${BENCH_WEBHOOK_JAR:-webhook/target/activemq-ha-webhook.jar}" "$run/activemq-ha-webhook.jar"
# Laid out as in the image (launcher next to the jar), with its class-data-sharing archive made as the image build
# makes it: the webhook is measured as it ships.
cp webhook/src/main/sh/webhook "$run/webhook"
"$run/webhook" --create-cds-archive
cp bench/target/activemq-ha-bench-baseline.jar "$run/"
java -jar certs/target/activemq-ha-certs.jar create --service activemq-ha-webhook --namespace activemq-ha \
    --host 127.0.0.1 --host localhost --out "$run/tls" >/dev/null
# The API server sends compact JSON: the fixture (a ReplicaSet-created ActiveMQ pod) without its indentation, also
# carrying the annotations that make vault-k8s inject its agent (a role and one secret), so that both inject.
python3 -c '
import json, sys
review = json.load(open(sys.argv[1]))
review["request"]["object"]["metadata"]["annotations"].update({
    "vault.hashicorp.com/agent-inject": "true",
    "vault.hashicorp.com/role": "activemq",
    "vault.hashicorp.com/agent-inject-secret-broker.properties": "secret/data/activemq/orders"})
print(json.dumps(review, separators=(",", ":")), end="")' \
    webhook/src/test/resources/admission/replicaset-pod.json > "$run/request.json"

# The review's own CPU cost, without the server (single thread, after a JIT warm-up), with the launcher's JVM flags.
echo "review cost: reviewing the request in a loop, without the server..."
# shellcheck disable=SC2046 # one flag per word
java $("$run/webhook" --print-jvm-flags) -XX:ActiveProcessorCount=1 -cp "$run/activemq-ha-webhook.jar" bench/review/ReviewCost.java \
    "$run/request.json" "${BENCH_REVIEW_WARM_UP:-40}" > "$run/review-cost.json"
cat "$run/review-cost.json"

unshare --mount --net --propagation private -- sh -c \
    'ip link set lo up && mount -t tmpfs -o size=1m,mode=0755 bench-run /run && exec "$@"' sh \
    python3 bench/bench.py --review-cost "$run/review-cost.json" --webhook-jar "$run/activemq-ha-webhook.jar" \
    --webhook-launcher "$run/webhook" --baseline-jar "$run/activemq-ha-bench-baseline.jar" \
    --tls-dir "$run/tls" --request "$run/request.json" --labeler-json "$run/labeler.json" \
    --out "$out" "${peer_options[@]}" "${options[@]}"
python3 bench/chart.py "$out" "${out%.json}.svg"
echo "wrote $out and ${out%.json}.svg"
