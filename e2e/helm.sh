#!/usr/bin/env bash
# Builds (or reuses) a pinned helm binary from the Go module proxy: the chart tests (manifests' HelmChartTest, e2e's
# HelmIT) never depend on a helm of the machine, nor on a chart repository (none is reachable; charts install from
# their directory).
#
# Output: a version-keyed directory outside the source tree, printed as the LAST line of stdout:
#   ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/helm-<version>/
# holding helm and build-info.txt.
#
#   e2e/helm.sh [--path-file FILE]
#
# --path-file FILE also writes the directory into FILE (the Maven e2e profile runs the script this way).
#
# Environment:
#   ACTIVEMQ_HA_CACHE   cache root (default $HOME/.cache/activemq-ha)
#   HELM_VERSIONS       helm releases to try, in order, as MODULE@VERSION (default
#                       "helm.sh/helm/v4@v4.3.1 helm.sh/helm/v3@v3.22.0"); the first one already cached is reused,
#                       otherwise they are built in order until one succeeds
#   BUILD_NICE          nice level of the Go build (default 10: the machine is shared)
#
# A directory only counts as present once complete: helm is built into a temporary directory next to it and renamed
# into place at the end, so an interrupted build never leaves a half-filled cache entry behind.
set -euo pipefail

HELM_VERSIONS=${HELM_VERSIONS:-"helm.sh/helm/v4@v4.3.1 helm.sh/helm/v3@v3.22.0"}
BUILD_NICE=${BUILD_NICE:-10}
CACHE_ROOT=${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}

log() { echo "helm: $*" >&2; }

target_dir() { echo "$CACHE_ROOT/helm-${1#*@}"; }

go_env() {
    env CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off "$@"
}

# build MODULE VERSION OUT: helm's own go.mod pins everything; the wrapper only requires it, and the version is
# stamped the way helm's Makefile does (helm version and the chart's kubeVersion checks read it).
build() {
    local module=$1 version=$2 out=$3 work status=0
    work=$(mktemp -d "$CACHE_ROOT/.helm-wrapper.XXXXXX")
    cat >"$work/go.mod" <<MOD
module activemqha.local/helm

go 1.24

require $module $version
MOD
    log "building helm $version ($module)"
    (cd "$work" && go_env go mod download "$module@$version" &&
        go_env go get "$module/cmd/helm@$version" &&
        go_env nice -n "$BUILD_NICE" go build -trimpath \
            -ldflags "-s -w -X $module/internal/version.version=$version" \
            -o "$out/helm" "$module/cmd/helm") || status=1
    rm -rf "$work"
    return $status
}

found() {
    [[ -z "$PATH_FILE" ]] || { mkdir -p "$(dirname "$PATH_FILE")" && echo "$1" >"$PATH_FILE"; }
    echo "$1"
}

main() {
    local entry dir
    for entry in $HELM_VERSIONS; do
        dir=$(target_dir "$entry")
        if [[ -x "$dir/helm" ]]; then
            log "reusing $dir"
            found "$dir"
            return 0
        fi
    done
    command -v go >/dev/null || {
        log "no helm cached in $CACHE_ROOT, and Go (>= 1.24) is needed to build one: install it (Debian: apt-get install golang-go; .ci/setup does), then run e2e/helm.sh"
        exit 1
    }
    mkdir -p "$CACHE_ROOT"
    for entry in $HELM_VERSIONS; do
        local module=${entry%@*} version=${entry#*@} tmp started
        dir=$(target_dir "$entry")
        tmp=$(mktemp -d "$CACHE_ROOT/.building-helm-$version.XXXXXX")
        started=$(date +%s)
        if build "$module" "$version" "$tmp" && "$tmp/helm" version >/dev/null; then
            local seconds=$(($(date +%s) - started))
            {
                echo "helm=$version"
                echo "module=$module"
                echo "go=$(go env GOVERSION)"
                echo "build_seconds=$seconds"
                echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
                echo "size_bytes.helm=$(stat -c %s "$tmp/helm")"
            } >"$tmp/build-info.txt"
            chmod 755 "$tmp"
            rm -rf "$dir"
            mv "$tmp" "$dir"
            log "built in ${seconds}s: $dir/helm ($("$dir/helm" version --short 2>/dev/null || true))"
            found "$dir"
            return 0
        fi
        log "build of helm $version failed; trying the next version"
        rm -rf "$tmp"
    done
    log "no helm version in '$HELM_VERSIONS' could be built"
    exit 1
}

PATH_FILE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --path-file) [[ $# -ge 2 ]] || { log "--path-file needs a file name"; exit 2; }; PATH_FILE=$2; shift 2 ;;
        *) log "unknown argument: $1 (usage: e2e/helm.sh [--path-file FILE])"; exit 2 ;;
    esac
done
main
