#!/usr/bin/env bash
# Builds (or reuses) a pinned helm from the Go module proxy (tools/go-tool.sh): the chart tests (manifests'
# HelmChartTest, e2e's HelmIT) never depend on a helm of the machine, nor on a chart repository (none is reachable;
# charts install from their directory). Prints ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/helm-<version>/ last.
#
#   e2e/helm.sh [--path-file FILE]     (the Maven e2e profile runs it this way)
#
# HELM_VERSIONS: releases to try, in order, as MODULE@VERSION (default helm v4.3.1, then v3.22.0). The version is
# stamped the way helm's Makefile does (`helm version` and the chart's kubeVersion check read it).
set -euo pipefail
# shellcheck disable=SC2086 # HELM_VERSIONS is a list
exec "$(dirname "$0")/../tools/go-tool.sh" --name helm --cmd cmd/helm --stamp internal/version.version "$@" \
    ${HELM_VERSIONS:-helm.sh/helm/v4@v4.3.1 helm.sh/helm/v3@v3.22.0}
