#!/usr/bin/env bash
# Builds (or reuses) one command of a pinned Go module from the Go module proxy, into a version-keyed cache outside the
# source tree, for the test tools that no distribution ships at the version the tests need (helm, promtool).
#
#   tools/go-tool.sh --name NAME --cmd PACKAGE [--stamp VAR] [--path-file FILE] MODULE@VERSION...
#
# NAME       the binary's name; the cache entry is ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/NAME-VERSION/,
#            holding NAME and build-info.txt, and its directory is printed as the LAST line of stdout
# PACKAGE    the command's package inside the module (cmd/helm; "." when main is at the module root, as vault-k8s')
# VAR        a string variable inside the module that -ldflags -X sets to the version (for `helm version`, which
#            chart kubeVersion checks read)
# FILE       also receives the directory (Maven runs the scripts this way and hands the file to the tests)
# MODULE@VERSION...  candidates in order: the first one already cached is reused; otherwise they are built in order
#            until one succeeds
#
# Environment: ACTIVEMQ_HA_CACHE (cache root), BUILD_NICE (nice level of the build, default 10: the machine is shared).
#
# An entry only counts as present once complete: it is built into a temporary directory next to it and renamed into
# place at the end, so an interrupted build never leaves a half-filled entry behind.
set -euo pipefail

BUILD_NICE=${BUILD_NICE:-10}
CACHE_ROOT=${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}
NAME="" CMD="" STAMP="" PATH_FILE="" CANDIDATES=()

log() { echo "${NAME:-go-tool}: $*" >&2; }

usage() {
    log "$1 (usage: tools/go-tool.sh --name NAME --cmd PACKAGE [--stamp VAR] [--path-file FILE] MODULE@VERSION...)"
    exit 2
}

go_env() {
    env CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off "$@"
}

found() {
    [[ -z "$PATH_FILE" ]] || { mkdir -p "$(dirname "$PATH_FILE")" && echo "$1" >"$PATH_FILE"; }
    echo "$1"
}

# build MODULE VERSION OUT: the module's own go.mod pins everything; the wrapper module only requires it.
build() {
    local module=$1 version=$2 out=$3 work status=0 ldflags="-s -w" package=$1/$CMD
    [[ "$CMD" != . ]] || package=$module
    [[ -z "$STAMP" ]] || ldflags+=" -X $module/$STAMP=$version"
    work=$(mktemp -d "$CACHE_ROOT/.$NAME-wrapper.XXXXXX")
    printf 'module activemqha.local/%s\n\ngo 1.24\n\nrequire %s %s\n' "$NAME" "$module" "$version" >"$work/go.mod"
    log "building $NAME $version ($module) from the Go module proxy (minutes, once per version)"
    (cd "$work" && go_env go mod download "$module@$version" &&
        go_env go get "$package@$version" &&
        go_env nice -n "$BUILD_NICE" go build -trimpath -ldflags "$ldflags" -o "$out/$NAME" "$package") || status=1
    rm -rf "$work"
    return $status
}

main() {
    local entry dir module version tmp started seconds
    for entry in "${CANDIDATES[@]}"; do
        dir="$CACHE_ROOT/$NAME-${entry#*@}"
        if [[ -x "$dir/$NAME" ]]; then
            log "reusing $dir"
            found "$dir"
            return 0
        fi
    done
    command -v go >/dev/null || {
        log "no $NAME cached in $CACHE_ROOT, and Go (>= 1.24) is needed to build one: install it (Debian: apt-get install golang-go; .ci/setup does)"
        exit 1
    }
    mkdir -p "$CACHE_ROOT"
    for entry in "${CANDIDATES[@]}"; do
        module=${entry%@*} version=${entry#*@}
        dir="$CACHE_ROOT/$NAME-$version"
        tmp=$(mktemp -d "$CACHE_ROOT/.building-$NAME-$version.XXXXXX")
        started=$(date +%s)
        if build "$module" "$version" "$tmp" && "$tmp/$NAME" --help >/dev/null 2>&1; then
            seconds=$(($(date +%s) - started))
            {
                echo "$NAME=$version"
                echo "module=$module"
                echo "go=$(go env GOVERSION)"
                echo "build_seconds=$seconds"
                echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
                echo "size_bytes.$NAME=$(stat -c %s "$tmp/$NAME")"
            } >"$tmp/build-info.txt"
            chmod 755 "$tmp"
            rm -rf "$dir"
            mv "$tmp" "$dir"
            log "built in ${seconds}s: $dir/$NAME"
            found "$dir"
            return 0
        fi
        log "build of $NAME $version failed${CANDIDATES[1]:+; trying the next version}"
        rm -rf "$tmp"
    done
    log "no version of $NAME in '${CANDIDATES[*]}' could be built"
    exit 1
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --name|--cmd|--stamp|--path-file)
            [[ $# -ge 2 ]] || usage "$1 needs a value"
            case "$1" in
                --name) NAME=$2 ;; --cmd) CMD=$2 ;; --stamp) STAMP=$2 ;; --path-file) PATH_FILE=$2 ;;
            esac
            shift 2 ;;
        -*) usage "unknown option: $1" ;;
        *@*) CANDIDATES+=("$1"); shift ;;
        *) usage "not MODULE@VERSION: $1" ;;
    esac
done
[[ -n "$NAME" && -n "$CMD" && ${#CANDIDATES[@]} -gt 0 ]] || usage "--name, --cmd and one MODULE@VERSION are required"
main
