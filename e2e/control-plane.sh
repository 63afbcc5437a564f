#!/usr/bin/env bash
# Builds (or reuses) pinned kube-apiserver, kube-controller-manager, kubectl and etcd binaries from the Go module proxy.
# kubectl is built from the same release so that the tests never depend on a distribution's (often far older) kubectl.
#
# Output: a version-keyed directory outside the source tree, printed as the LAST line of stdout:
#   ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/control-plane-<k8s version>-etcd-<etcd version>/
# holding kube-apiserver, kube-controller-manager, kubectl, etcd and build-info.txt.
#
#   e2e/control-plane.sh [--node] [--path-file FILE]
#
# --node       also builds the node components of the same release into the same directory: kubelet, kube-proxy and
#              kube-scheduler (the real node of e2e/cluster.sh; a few seconds each once the Go build cache is warm).
# --path-file FILE also writes the directory into FILE (the Maven e2e profile runs the script this way, so that
# `mvn verify -Pe2e` finds the binaries by itself).
#
# Environment:
#   ACTIVEMQ_HA_CACHE   cache root (default $HOME/.cache/activemq-ha)
#   K8S_VERSIONS        Kubernetes versions to try, in order (default "v1.34.4 v1.34.3 v1.35.4"); the first one
#                       already cached is reused, otherwise they are built in order until one succeeds
#   ETCD_VERSION        etcd server version (default v3.6.16)
#   BUILD_NICE          nice level of the Go builds (default 10: the machine is shared)
#
# A directory only counts as present once complete: everything is built into a temporary directory next to it and
# renamed into place at the end, so an interrupted build never leaves a half-filled cache entry behind.
set -euo pipefail

K8S_VERSIONS=${K8S_VERSIONS:-"v1.34.4 v1.34.3 v1.35.4"}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
BUILD_NICE=${BUILD_NICE:-10}
CACHE_ROOT=${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}
BINARIES=(kube-apiserver kube-controller-manager kubectl etcd)
NODE_BINARIES=(kubelet kube-proxy kube-scheduler)

log() { echo "control-plane: $*" >&2; }

target_dir() { echo "$CACHE_ROOT/control-plane-$1-etcd-$ETCD_VERSION"; }

is_complete() {
    local dir=$1 bin
    for bin in "${BINARIES[@]}"; do
        [[ -x "$dir/$bin" ]] || return 1
    done
}

# The go command fetches from the configured module proxy and builds exactly what the wrapper pins. GOTOOLCHAIN is
# left as configured: a Go older than the go line of Kubernetes' go.mod (>= 1.21) fetches the required toolchain
# through the same proxy.
go_env() {
    env CGO_ENABLED=0 GOFLAGS=-mod=mod GOWORK=off "$@"
}

# Writes a wrapper go.mod that requires k8s.io/kubernetes and maps every staging module that Kubernetes' own go.mod
# replaces with ./staging/... onto its published v0.Y.Z release (generated, so it follows whatever the release lists).
write_k8s_wrapper() {
    local work=$1 version=$2 upstream_mod staging_version
    upstream_mod=$(cd "$work" && go_env go mod download -json "k8s.io/kubernetes@$version" |
        sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    [[ -f "$upstream_mod" ]] || { log "cannot download go.mod of k8s.io/kubernetes@$version"; return 1; }
    staging_version="v0.${version#v1.}"
    {
        echo "module activemqha.local/k8s-control-plane"
        echo
        grep -m1 '^go ' "$upstream_mod"
        grep '^godebug default=' "$upstream_mod" || true
        echo
        echo "require k8s.io/kubernetes $version"
        echo
        echo "replace ("
        awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$upstream_mod" | sort -u |
            while read -r module; do echo "	$module => $module $staging_version"; done
        echo ")"
    } >"$work/go.mod"
    local count
    count=$(grep -c "=> k8s.io/.* $staging_version" "$work/go.mod" || true)
    [[ "$count" -gt 0 ]] || { log "no staging modules found in $upstream_mod"; return 1; }
    log "wrapper for k8s.io/kubernetes@$version maps $count staging modules to $staging_version"
}

# build_k8s OUT VERSION BINARY... builds the named commands of k8s.io/kubernetes into OUT.
build_k8s() {
    local out=$1 version=$2 work minor
    shift 2
    work=$(mktemp -d "$CACHE_ROOT/.k8s-wrapper.XXXXXX")
    write_k8s_wrapper "$work" "$version" || { rm -rf "$work"; return 1; }
    minor=${version#v1.}; minor=${minor%%.*}
    local ldflags="-s -w"
    local pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
        ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    done
    local status=0
    for bin in "$@"; do
        log "building $bin $version"
        (cd "$work" && go_env nice -n "$BUILD_NICE" go build -trimpath -tags selinux,notest,grpcnotrace \
            -ldflags "$ldflags" -o "$out/$bin" "k8s.io/kubernetes/cmd/$bin") || { status=1; break; }
    done
    rm -rf "$work"
    return $status
}

build_etcd() {
    local out=$1 work
    work=$(mktemp -d "$CACHE_ROOT/.etcd-wrapper.XXXXXX")
    cat >"$work/go.mod" <<EOF
module activemqha.local/etcd-server

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
EOF
    log "building etcd $ETCD_VERSION"
    local status=0
    (cd "$work" && go_env nice -n "$BUILD_NICE" go build -trimpath -ldflags "-s -w" -o "$out/etcd" \
        go.etcd.io/etcd/server/v3) || status=1
    rm -rf "$work"
    return $status
}

# With --node: adds the node binaries that DIR lacks, each built aside and renamed into place (so a binary is there
# whole or not at all).
with_node() {
    local dir=$1 version=$2 missing=() bin
    [[ "$NODE" == 1 ]] || return 0
    for bin in "${NODE_BINARIES[@]}"; do
        [[ -x "$dir/$bin" ]] || missing+=("$bin")
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0
    command -v go >/dev/null || { log "Go (>= 1.24) is needed to build ${missing[*]}: install it (Debian: apt-get install golang-go)"; exit 1; }
    local tmp
    tmp=$(mktemp -d "$dir/.node.XXXXXX")
    build_k8s "$tmp" "$version" "${missing[@]}" || { rm -rf "$tmp"; log "building ${missing[*]} failed"; exit 1; }
    for bin in "${missing[@]}"; do
        mv "$tmp/$bin" "$dir/$bin"
        echo "size_bytes.$bin=$(stat -c %s "$dir/$bin")" >>"$dir/build-info.txt"
    done
    rm -rf "$tmp"
}

# The result: printed as the last line, and written to the --path-file when one was given.
found() {
    [[ -z "$PATH_FILE" ]] || { mkdir -p "$(dirname "$PATH_FILE")" && echo "$1" >"$PATH_FILE"; }
    echo "$1"
}

main() {
    local version dir
    for version in $K8S_VERSIONS; do
        dir=$(target_dir "$version")
        if is_complete "$dir"; then
            log "reusing $dir"
            with_node "$dir" "$version"
            found "$dir"
            return 0
        fi
    done
    command -v go >/dev/null || {
        log "no control plane cached in $CACHE_ROOT, and Go (>= 1.24) is needed to build one: install it (Debian: apt-get install golang-go; .ci/setup does), then run e2e/control-plane.sh"
        exit 1
    }
    mkdir -p "$CACHE_ROOT"
    log "no control plane cached yet: building Kubernetes and etcd from the Go module proxy (about 8 minutes on 2 cores, once)"

    for version in $K8S_VERSIONS; do
        dir=$(target_dir "$version")
        local tmp started
        tmp=$(mktemp -d "$CACHE_ROOT/.building-$version.XXXXXX")
        started=$(date +%s)
        if build_etcd "$tmp" && build_k8s "$tmp" "$version" kube-apiserver kube-controller-manager kubectl; then
            local seconds=$(($(date +%s) - started))
            {
                echo "kubernetes=$version"
                echo "etcd=$ETCD_VERSION"
                echo "go=$(go env GOVERSION)"
                echo "build_seconds=$seconds"
                echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
                for bin in "${BINARIES[@]}"; do echo "size_bytes.$bin=$(stat -c %s "$tmp/$bin")"; done
            } >"$tmp/build-info.txt"
            chmod 755 "$tmp"
            rm -rf "$dir"
            mv "$tmp" "$dir"
            log "built in ${seconds}s: $(du -sh "$dir" | cut -f1) in $dir"
            with_node "$dir" "$version"
            found "$dir"
            return 0
        fi
        log "build of Kubernetes $version failed; trying the next version"
        rm -rf "$tmp"
    done
    log "no Kubernetes version in '$K8S_VERSIONS' could be built"
    exit 1
}

PATH_FILE=""
NODE=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --node) NODE=1; shift ;;
        --path-file) [[ $# -ge 2 ]] || { log "--path-file needs a file name"; exit 2; }; PATH_FILE=$2; shift 2 ;;
        *) log "unknown argument: $1 (usage: e2e/control-plane.sh [--node] [--path-file FILE])"; exit 2 ;;
    esac
done
main
