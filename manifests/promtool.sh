#!/usr/bin/env bash
# Builds (or reuses) a pinned promtool from the Go module proxy, for the tests of deploy/monitoring
# (`promtool check rules`, `promtool test rules`).
#
# Output: a version-keyed directory outside the source tree, printed as the LAST line of stdout:
#   ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/promtool-<version>/
# holding promtool and build-info.txt.
#
#   manifests/promtool.sh [--path-file FILE]
#
# --path-file FILE also writes the directory into FILE (the manifests module runs the script this way from Maven).
#
# Environment:
#   ACTIVEMQ_HA_CACHE   cache root (default $HOME/.cache/activemq-ha)
#   PROMETHEUS_VERSION  github.com/prometheus/prometheus module version (default v0.316.0)
#   BUILD_NICE          nice level of the Go build (default 10: the machine is shared)
#
# The directory only counts as present once complete: promtool is built into a temporary directory next to it and
# renamed into place at the end, so an interrupted build never leaves a half-filled cache entry behind.
set -euo pipefail

PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-v0.316.0}
BUILD_NICE=${BUILD_NICE:-10}
CACHE_ROOT=${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}

log() { echo "promtool: $*" >&2; }

found() {
    [[ -z "$PATH_FILE" ]] || { mkdir -p "$(dirname "$PATH_FILE")" && echo "$1" >"$PATH_FILE"; }
    echo "$1"
}

build() {
    local out=$1 work status=0
    work=$(mktemp -d "$CACHE_ROOT/.promtool-wrapper.XXXXXX")
    cat >"$work/go.mod" <<GOMOD
module activemqha.local/promtool

go 1.24

require github.com/prometheus/prometheus $PROMETHEUS_VERSION
GOMOD
    log "building promtool $PROMETHEUS_VERSION from the Go module proxy (a few minutes, once)"
    (cd "$work" && env CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off \
        nice -n "$BUILD_NICE" go build -trimpath -ldflags "-s -w" -o "$out/promtool" \
        github.com/prometheus/prometheus/cmd/promtool) || status=1
    rm -rf "$work"
    return $status
}

main() {
    local dir="$CACHE_ROOT/promtool-$PROMETHEUS_VERSION"
    if [[ -x "$dir/promtool" ]]; then
        log "reusing $dir"
        found "$dir"
        return 0
    fi
    command -v go >/dev/null || {
        log "no promtool cached in $CACHE_ROOT, and Go (>= 1.24) is needed to build one: install it (Debian: apt-get install golang-go)"
        exit 1
    }
    mkdir -p "$CACHE_ROOT"
    local tmp started seconds
    tmp=$(mktemp -d "$CACHE_ROOT/.building-promtool-$PROMETHEUS_VERSION.XXXXXX")
    started=$(date +%s)
    build "$tmp" || { rm -rf "$tmp"; log "building promtool $PROMETHEUS_VERSION failed"; exit 1; }
    seconds=$(($(date +%s) - started))
    {
        echo "prometheus=$PROMETHEUS_VERSION"
        echo "go=$(go env GOVERSION)"
        echo "build_seconds=$seconds"
        echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "size_bytes.promtool=$(stat -c %s "$tmp/promtool")"
    } >"$tmp/build-info.txt"
    chmod 755 "$tmp"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    log "built in ${seconds}s into $dir"
    found "$dir"
}

PATH_FILE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --path-file) [[ $# -ge 2 ]] || { log "--path-file needs a file name"; exit 2; }; PATH_FILE=$2; shift 2 ;;
        *) log "unknown argument: $1 (usage: manifests/promtool.sh [--path-file FILE])"; exit 2 ;;
    esac
done
main
