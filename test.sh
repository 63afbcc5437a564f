#!/usr/bin/env bash
# The whole test suite: every module's unit and integration tests, then the end-to-end suite on a real
# Kubernetes control plane (kube-apiserver, kube-controller-manager, etcd and kubectl built from Go modules
# by e2e/control-plane.sh, or reused from its version-keyed cache).
# Extra arguments go to Maven (e.g. ./test.sh -o for an offline run).
set -euo pipefail
cd "$(dirname "$0")"
control_plane=$(e2e/control-plane.sh | tail -n 1)
export ACTIVEMQ_HA_CONTROL_PLANE="$control_plane"
export KUBECTL="${KUBECTL:-$control_plane/kubectl}"
exec mvn -B verify -Pe2e "$@"
