#!/usr/bin/env bash
# Builds (or reuses) a pinned promtool from the Go module proxy (tools/go-tool.sh), for the tests of deploy/monitoring
# (`promtool check rules`, `promtool test rules`). Prints ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/promtool-<version>/
# last.
#
#   manifests/promtool.sh [--path-file FILE]     (the manifests module runs it this way from Maven)
#
# PROMETHEUS_VERSION: the github.com/prometheus/prometheus module version (default v0.316.0).
set -euo pipefail
exec "$(dirname "$0")/../tools/go-tool.sh" --name promtool --cmd cmd/promtool "$@" \
    "github.com/prometheus/prometheus@${PROMETHEUS_VERSION:-v0.316.0}"
