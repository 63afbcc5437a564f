#!/usr/bin/env bash
# The whole test suite: every module's unit and integration tests, the bounded (fixed-seed) fuzzing, then the
# end-to-end suite on a real Kubernetes control plane. Maven's e2e profile builds kube-apiserver,
# kube-controller-manager, kubectl and etcd from Go modules (e2e/control-plane.sh), or reuses them from their
# version-keyed cache. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B verify -Pe2e "$@"
