#!/usr/bin/env bash
# Builds the three images (webhook, leader-labeler, certs) from the repository's own Dockerfiles, the ones users
# build, and one test-only image (a stand-in for apache/activemq-classic, e2e/broker-image/Dockerfile) with buildah:
# no Docker daemon, no registry, nothing pulled. The Dockerfiles' base images are build arguments
# (BUILD_IMAGE, RUNTIME_IMAGE); this script sets them to two Debian images it makes with mmdebstrap from the Debian
# archive: a JDK with Maven for the build stages, a JRE for the runtime stages.
#
#   e2e/images.sh [--out DIR]
#
# Output: docker-archive tarballs (docker load, podman load, ctr -n k8s.io images import, kind load image-archive)
#   DIR/webhook.tar  DIR/leader-labeler.tar  DIR/certs.tar
# each tagged as deploy/install references the image (its kustomization's images: entries, name and newTag), in the
# docker.io-qualified form that containerd and the kubelet resolve the short name to, e.g.
# docker.io/activemq-ha/leader-labeler:0.1.0; and, for the tests only,
#   DIR/activemq-classic.tar
# tagged localhost/activemq-ha-e2e/activemq-classic:6.1.7: ActiveMQ Classic 6.1.7 from its Maven Central jars, laid out
# like apache/activemq-classic:6.1.7 (which the example deployments name and a test node cannot pull), under a name
# that is obviously not the real image's. DIR (default e2e/target/images) is printed as the LAST line of stdout; the
# log goes to stderr.
#
# The base images' root filesystems are cached outside the source tree, keyed by the recipe below (BASES_VERSION,
# the Debian suite, the package lists and the mmdebstrap invocation itself):
#   ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/debian-bases-<key>/{jre.tar,jdk-maven.tar,build-info.txt}
# built into a temporary directory next to it and renamed into place when complete, so an interrupted build never
# leaves a half-filled entry. Bump BASES_VERSION to pick up Debian security updates.
#
# buildah runs with a private storage under a temporary directory (overlay, or vfs where overlay cannot be mounted),
# with TMPDIR inside it too (buildah keeps RUN --mount=type=cache directories there); the Maven cache mount is seeded
# with a copy of the host's Maven repository, if there is one, to save downloads. Everything is removed at the end,
# storage, mounts and containers included, and so are the two files buildah writes outside its storage
# (/var/lib/containers/cache/blob-info-cache-v1.boltdb, /etc/containers/networks/) when they did not exist before.
#
# Environment:
#   ACTIVEMQ_HA_CACHE   cache root (default $HOME/.cache/activemq-ha)
#   MAVEN_REPO          Maven repository to seed the build's cache mount with (default $HOME/.m2/repository)
#   DEBIAN_MIRROR       Debian archive (default http://deb.debian.org/debian; security updates from its
#                       debian-security sibling unless DEBIAN_SECURITY_MIRROR is set)
#   BUILD_NICE          nice level of mmdebstrap and the image builds (default 10: the machine is shared)
#   STORAGE_DRIVER      vfs to skip overlay (default: overlay when it can be mounted here, vfs otherwise)
#
# Needs root (rootless buildah and mmdebstrap --mode=unshare also need uidmap and /etc/subuid entries; untested),
# buildah and, to make the base images once, mmdebstrap. .ci/setup installs them on Debian.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE_ROOT=${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}
MAVEN_REPO=${MAVEN_REPO:-$HOME/.m2/repository}
BUILD_NICE=${BUILD_NICE:-10}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-${DEBIAN_MIRROR%/debian}/debian-security}

# The base recipe. Every line of it (and of make_base below) goes into the cache key.
BASES_VERSION=1
DEBIAN_SUITE=bookworm
JRE_PACKAGES="openjdk-17-jre-headless"
JDK_MAVEN_PACKAGES="openjdk-17-jdk-headless maven"

# module directory -> the image name used in deploy/install (its kustomization's images: entry); resolve_image_names
# adds the test images' below.
declare -A IMAGE_OF=([webhook]=activemq-ha/webhook [labeler]=activemq-ha/leader-labeler [certs]=activemq-ha/certs)
MODULES=(webhook labeler certs)
# Test-only images: module directory -> fixed reference (in no install, never pushed; not the real image's name).
declare -A TEST_IMAGE_OF=([e2e/broker-image]=localhost/activemq-ha-e2e/activemq-classic:6.1.7)
TEST_MODULES=(e2e/broker-image)

log() { echo "images: $*" >&2; }
die() { log "$*"; exit 1; }

# --- arguments -----------------------------------------------------------------------------------------------------

OUT=$REPO/e2e/target/images
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) [[ $# -ge 2 ]] || die "--out needs a directory"; OUT=$2; shift 2 ;;
        *) log "unknown argument: $1 (usage: e2e/images.sh [--out DIR])"; exit 2 ;;
    esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# docker-archive:PATH:REFERENCE cannot name a path with a colon.
[[ "$OUT" != *:* ]] || die "--out $OUT: the directory name must not contain ':'"

# --- tools ---------------------------------------------------------------------------------------------------------

bases_key() {
    { printf '%s\n' "$BASES_VERSION" "$DEBIAN_SUITE" "$JRE_PACKAGES" "$JDK_MAVEN_PACKAGES"; declare -f make_base; } |
        sha256sum | cut -c1-12
}

check_tools() {
    local need=() bases_cached=$1
    command -v buildah >/dev/null || need+=(buildah)
    [[ "$bases_cached" == 1 ]] || command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
    if [[ $EUID -ne 0 ]]; then
        command -v newuidmap >/dev/null && command -v newgidmap >/dev/null || need+=(uidmap)
    fi
    if [[ ${#need[@]} -gt 0 ]]; then
        die "missing: ${need[*]}; install them (Debian: apt-get install ${need[*]}; sudo bash .ci/setup does)"
    fi
}

# --- image names ---------------------------------------------------------------------------------------------------

# Prints "name newName newTag" for each entry of deploy/install/kustomization.yaml's images: list.
kustomize_images() {
    awk '
        /^images:/ { inside = 1; next }
        inside && /^[^[:space:]#-]/ { inside = 0 }
        !inside { next }
        { gsub(/"/, "") }
        $1 == "-" && $2 == "name:" { if (name != "") print name, (newName == "" ? name : newName), tag
                                     name = $3; newName = ""; tag = ""; next }
        $1 == "newName:" { newName = $2 }
        $1 == "newTag:" { tag = $2 }
        END { if (name != "") print name, (newName == "" ? name : newName), tag }
    ' "$REPO/deploy/install/kustomization.yaml"
}

# The reference containerd and the kubelet resolve a short image name to: docker.io/ in front of a name whose first
# component is not a registry host (no dot, no port, not localhost), and docker.io/library/ for a single component.
qualified() {
    local name=$1 first=${1%%/*}
    if [[ "$name" != */* ]]; then
        echo "docker.io/library/$name"
    elif [[ "$first" == *.* || "$first" == *:* || "$first" == localhost ]]; then
        echo "$name"
    else
        echo "docker.io/$name"
    fi
}

# The tag of each module's image, as the install references it (test images: their fixed reference).
declare -A TAG_OF=()
resolve_image_names() {
    local name new tag module found
    for module in "${MODULES[@]}"; do
        found=0
        while read -r name new tag; do
            [[ "$name" == "${IMAGE_OF[$module]}" ]] || continue
            [[ -n "$tag" ]] || die "deploy/install/kustomization.yaml: no newTag for $name"
            TAG_OF[$module]="$(qualified "$new"):$tag"
            found=1
        done < <(kustomize_images)
        [[ "$found" == 1 ]] || die "deploy/install/kustomization.yaml has no images: entry for ${IMAGE_OF[$module]}"
    done
    for module in "${TEST_MODULES[@]}"; do
        TAG_OF[$module]=${TEST_IMAGE_OF[$module]}
        IMAGE_OF[$module]=${TEST_IMAGE_OF[$module]%:*}
    done
}

# --- state outside the private storage ------------------------------------------------------------------------------

# buildah writes a few things outside --root whatever it is told: remember the shallowest missing directory (or
# file) of each, so that the cleanup removes what this run created and nothing that was there before.
CREATED=()
remember_if_absent() {
    local path=$1 prefix="" part
    local -a parts
    IFS=/ read -r -a parts <<<"${path#/}"
    for part in "${parts[@]}"; do
        prefix+="/$part"
        if [[ ! -e "$prefix" ]]; then
            CREATED+=("$prefix")
            return
        fi
    done
}
remember_if_absent /var/lib/containers/cache/blob-info-cache-v1.boltdb
remember_if_absent /etc/containers/networks

WORK=""
BUILDING_BASES=""
cleanup() {
    local status=$?
    set +e
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        remove_storage
        unmount_under "$WORK"
        rm -rf "$WORK" || log "could not remove $WORK"
    fi
    [[ -z "$BUILDING_BASES" ]] || rm -rf "$BUILDING_BASES"
    local path
    for path in "${CREATED[@]}"; do
        [[ ! -e "$path" ]] || { rm -rf "$path" && log "removed $path (created by buildah during this run)"; }
    done
    rm -f "$OUT"/*.tar.partial
    exit $status
}

# Removes every container and image of the private storage, then the storage itself (rootless: its files belong to
# the user namespace's ids, so they are removed from inside it).
remove_storage() {
    if [[ -d "$WORK/storage" ]]; then
        bah rm --all >/dev/null 2>&1
        bah rmi --all --force >/dev/null 2>&1
        unmount_under "$WORK/storage"
        if [[ $EUID -ne 0 ]]; then
            buildah unshare rm -rf "$WORK/storage" "$WORK/run"
        fi
    fi
    rm -rf "$WORK/storage" "$WORK/run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Unmounts every mount point at or below DIR, deepest first (overlay layers, mmdebstrap's /proc and /dev, ...).
unmount_under() {
    local dir=$1 point
    awk -v dir="$dir" '$5 == dir || index($5, dir "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r point; do
            umount "$point" 2>/dev/null || umount -l "$point" || log "could not unmount $point"
        done
}

# --- buildah with a private storage --------------------------------------------------------------------------------

# Every buildah call goes through bah: storage and run state under $WORK, nothing under /var/lib/containers/storage.
DRIVER=overlay
bah() { buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver "$DRIVER" "$@"; }

setup_storage() {
    local driver=$1
    DRIVER=$driver
    remove_storage
    mkdir -p "$WORK/storage" "$WORK/run"
    # A storage.conf of our own, so that the host's (mount_program, additional image stores, ...) does not apply.
    cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "$driver"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
    export CONTAINERS_STORAGE_CONF=$WORK/storage.conf
}

# overlay if a layer can really be mounted here (kernel overlayfs, as root or in a user namespace), vfs otherwise
# (slower and bigger: every layer is a full copy) or when STORAGE_DRIVER=vfs asks for it.
choose_storage() {
    local ctr
    if [[ "${STORAGE_DRIVER:-overlay}" == vfs ]]; then
        setup_storage vfs
        log "buildah storage: vfs (STORAGE_DRIVER), in $WORK/storage"
        return
    fi
    setup_storage overlay
    if ctr=$(bah from --pull=never scratch 2>/dev/null) && bah mount "$ctr" >/dev/null 2>&1; then
        bah umount "$ctr" >/dev/null && bah rm "$ctr" >/dev/null
        log "buildah storage: overlay, in $WORK/storage"
        return
    fi
    log "overlay cannot be mounted here; using the vfs storage driver (slower)"
    setup_storage vfs
}

# --- the Debian base images ----------------------------------------------------------------------------------------

# make_base OUTPUT.tar PACKAGES: a minimal Debian root filesystem (the apt variant) with PACKAGES and their
# dependencies. /usr is merged with symlinks, as debootstrap (and so Debian's own container images) does, instead of
# by the usrmerge package, which would bring Perl (~50 MB) into every image. Documentation, man pages and
# translations are left out (as in Debian's slim images; copyright files stay); /usr/share/man/man1 must exist anyway,
# because the OpenJDK packages register man pages with update-alternatives. mmdebstrap removes the apt lists and
# package cache from the result.
make_base() {
    local out=$1 packages=$2
    nice -n "$BUILD_NICE" mmdebstrap --variant=apt --format=tar \
        --include="${packages// /,}" \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
        --dpkgopt='path-exclude=/usr/share/info/*' \
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
        --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
        "$DEBIAN_SUITE" "$out" \
        "deb $DEBIAN_MIRROR $DEBIAN_SUITE main" \
        "deb $DEBIAN_MIRROR $DEBIAN_SUITE-updates main" \
        "deb $DEBIAN_SECURITY_MIRROR $DEBIAN_SUITE-security main"
}

bases_cached() { [[ -s "$1/jre.tar" && -s "$1/jdk-maven.tar" && -f "$1/build-info.txt" ]]; }

# make_bases DIR: the cache directory DIR with jre.tar and jdk-maven.tar, made first when absent. (Not run in a
# $(...) subshell: the cleanup must know the temporary directory.)
make_bases() {
    local dir=$1
    if bases_cached "$dir"; then
        log "reusing the Debian base images in $dir"
        return
    fi
    mkdir -p "$CACHE_ROOT"
    BUILDING_BASES=$(mktemp -d "$CACHE_ROOT/.building-debian-bases.XXXXXX")
    local started base packages
    started=$(date +%s)
    for base in jre jdk-maven; do
        if [[ "$base" == jre ]]; then packages=$JRE_PACKAGES; else packages=$JDK_MAVEN_PACKAGES; fi
        log "making the $base base image (Debian $DEBIAN_SUITE: $packages) with mmdebstrap, once"
        make_base "$BUILDING_BASES/$base.tar" "$packages" || die "mmdebstrap failed for the $base base image"
    done
    {
        echo "bases_version=$BASES_VERSION"
        echo "suite=$DEBIAN_SUITE"
        echo "jre_packages=$JRE_PACKAGES"
        echo "jdk_maven_packages=$JDK_MAVEN_PACKAGES"
        echo "mirror=$DEBIAN_MIRROR"
        echo "mmdebstrap=$(mmdebstrap --version 2>/dev/null | head -n1)"
        echo "build_seconds=$(($(date +%s) - started))"
        echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        for base in jre jdk-maven; do echo "size_bytes.$base.tar=$(stat -c %s "$BUILDING_BASES/$base.tar")"; done
    } >"$BUILDING_BASES/build-info.txt"
    chmod 755 "$BUILDING_BASES"
    rm -rf "$dir"
    mv "$BUILDING_BASES" "$dir"
    BUILDING_BASES=""
    log "made the base images in $(($(date +%s) - started))s: $(du -sh "$dir" | cut -f1) in $dir"
}

# import_base TAR NAME [build]: an image NAME in the private storage whose only layer is the root filesystem TAR.
# The build base also gets this machine's extra CA certificates (/usr/local/share/ca-certificates/*.crt, e.g. those
# of a TLS-intercepting egress proxy), so that Maven in the build stage trusts the same TLS roots as the host
# (harmless elsewhere: a machine without any adds nothing). Never the runtime base: the shipped images carry only
# Debian's CA bundle.
import_base() {
    local tar=$1 name=$2 role=${3:-runtime} ctr crts=()
    ctr=$(bah from --pull=never scratch)
    bah add --quiet "$ctr" "$tar" / >/dev/null
    if [[ "$role" == build ]]; then
        shopt -s nullglob
        crts=(/usr/local/share/ca-certificates/*.crt)
        shopt -u nullglob
        if [[ ${#crts[@]} -gt 0 ]]; then
            log "adding ${#crts[@]} CA certificate(s) of this machine to the build base: ${crts[*]##*/}"
            bah copy --quiet "$ctr" "${crts[@]}" /usr/local/share/ca-certificates/ >/dev/null
            bah run --network none "$ctr" -- update-ca-certificates >/dev/null
        fi
    fi
    bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
        --cmd /bin/sh "$ctr"
    bah commit --quiet --rm "$ctr" "$name" >/dev/null
}

# --- the images ----------------------------------------------------------------------------------------------------

# Where buildah keeps the RUN --mount=type=cache,target=/root/.m2 directory of the Dockerfiles (no id: the target
# path names it) is seeded with a copy of the host's repository: a copy, so that the build never writes into it.
seed_maven_cache() {
    local cache=$TMPDIR/buildah-cache/root/.m2
    mkdir -p "$cache"
    if [[ -d "$MAVEN_REPO" ]]; then
        log "seeding the build's Maven cache with a copy of $MAVEN_REPO ($(du -sh "$MAVEN_REPO" | cut -f1))"
        cp -a "$MAVEN_REPO" "$cache/repository" 2>/dev/null ||
            log "copying $MAVEN_REPO was incomplete (is a build writing to it?); Maven downloads the rest"
    else
        log "no Maven repository at $MAVEN_REPO: the first build stage downloads everything"
    fi
}

build_image() {
    local module=$1 build_base=$2 runtime_base=$3 image=${TAG_OF[$1]} started
    started=$(date +%s)
    log "building $image from $module/Dockerfile"
    # --network host: the build stage's Maven downloads, with no container network to set up (so the labeler's CDS
    # training run also binds the host's 127.0.0.1:8099 for a few seconds); --pull=never: the bases are in the
    # private storage and nothing else may be fetched.
    nice -n "$BUILD_NICE" buildah --root "$WORK/storage" --runroot "$WORK/run" --storage-driver "$DRIVER" \
        bud --network host --pull=never --layers=false --ignorefile "$WORK/dockerignore" \
        --build-arg BUILD_IMAGE="$build_base" --build-arg RUNTIME_IMAGE="$runtime_base" \
        -f "$REPO/$module/Dockerfile" -t "$image" "$REPO" >&2
    local archive=$OUT/${IMAGE_OF[$module]##*/}.tar
    rm -f "$archive.partial"
    bah push --quiet "$image" "docker-archive:$archive.partial:$image"
    mv "$archive.partial" "$archive"
    log "$image -> $archive ($(du -h "$archive" | cut -f1), $(($(date +%s) - started))s)"
}

main() {
    local started key dir build_base runtime_base module
    started=$(date +%s)
    key=$(bases_key)
    dir=$CACHE_ROOT/debian-bases-$key
    check_tools "$(bases_cached "$dir" && echo 1 || echo 0)"
    resolve_image_names

    WORK=$(mktemp -d "${TMPDIR:-/tmp}/activemq-ha-images.XXXXXX")
    mkdir -p "$WORK/tmp"
    export TMPDIR=$WORK/tmp

    make_bases "$dir"
    choose_storage
    build_base=localhost/activemq-ha-bases/jdk-maven:$key
    runtime_base=localhost/activemq-ha-bases/jre:$key
    import_base "$dir/jdk-maven.tar" "$build_base" build
    import_base "$dir/jre.tar" "$runtime_base"
    log "imported the base images ($(($(date +%s) - started))s so far)"

    # The build context is the repository; build outputs stay out of it (as a root .dockerignore would keep them).
    printf '%s\n' '**/target' '.git' >"$WORK/dockerignore"
    seed_maven_cache
    for module in "${MODULES[@]}" "${TEST_MODULES[@]}"; do
        build_image "$module" "$build_base" "$runtime_base"
    done
    local images=()
    for module in "${MODULES[@]}" "${TEST_MODULES[@]}"; do images+=("${TAG_OF[$module]}"); done
    log "done in $(($(date +%s) - started))s: ${images[*]}"
    echo "$OUT"
}

main
