#!/bin/sh
# The node's processes: containerd, then kubelet and kube-proxy, inside the mount and PID namespaces the caller made
# for them (unshare --mount --pid --fork --mount-proc --propagation private catatonit -- e2e/node/node.sh ...), in the
# caller's network namespace. Everything they mount, every container and every process dies with these namespaces,
# so nothing of the node outlives it on the machine; what the kernel keeps globally (cgroups, sysctls) the caller
# restores.
#
#   e2e/node/node.sh WORK BIN NODE_NAME NODE_IP SANDBOX_IMAGE
#
# WORK holds what the caller prepared: containerd.toml, kubelet.yaml, kubelet.kubeconfig, kube-proxy.yaml and
# images/*.tar (docker or OCI archives, imported into containerd's k8s.io namespace before kubelet starts); logs go to
# WORK/logs. BIN holds kubelet and kube-proxy. SANDBOX_IMAGE is the name containerd's CRI config gives the sandbox
# ("pause") image: made here from Debian's static catatonit in its pause mode, so nothing is ever pulled.
set -eu
work=$1 bin=$2 node_name=$3 node_ip=$4 sandbox_image=$5
socket=/run/containerd/containerd.sock

# Shared propagation inside this mount namespace only (the caller made it private), as kubelet needs for the pods'
# volumes; the host keeps its own. Fresh /run, /var/lib and /var/log hide the paths that containerd, CNI and kubelet
# write to by fixed name (sockets and network namespaces, CNI's cache, /var/log/containers).
mount --make-rshared /
for dir in /run /var/lib /var/log; do
    mount -t tmpfs -o mode=0755 "node$dir" "$dir"
done
mkdir -p /run/containerd "$work/logs"
# The stand-in for the example's NFS export (e2e/node/example): a directory on the node that every pod's uid may write
# into, like an export writable by the brokers; it goes with the node's /var/lib.
mkdir -p -m 1777 /var/lib/e2e-exports/activemq-kahadb

containerd --config "$work/containerd.toml" >"$work/logs/containerd.log" 2>&1 &
tries=0
until ctr --address "$socket" version >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 300 ] || { echo "node: containerd did not start (see $work/logs/containerd.log)" >&2; exit 1; }
    sleep 0.1
done
# The sandbox image as a docker archive: one layer holding /catatonit, run as "catatonit -P".
pause=$work/pause-image
mkdir -p "$pause/rootfs"
cp /usr/bin/catatonit "$pause/rootfs/catatonit"
tar -C "$pause/rootfs" --owner=0 --group=0 -cf "$pause/layer.tar" catatonit
layer=$(sha256sum "$pause/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/catatonit","-P"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(dpkg --print-architecture)" "$layer" >"$pause/config.json"
config=$(sha256sum "$pause/config.json" | cut -d' ' -f1)
mv "$pause/config.json" "$pause/$config.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config" "$sandbox_image" >"$pause/manifest.json"
tar -C "$pause" -cf "$work/images/pause.tar" manifest.json "$config.json" layer.tar

for image in "$work"/images/*.tar; do
    [ -e "$image" ] || continue
    ctr --address "$socket" -n k8s.io images import "$image" >>"$work/logs/images.log" 2>&1 ||
        { echo "node: cannot import $image (see $work/logs/images.log)" >&2; exit 1; }
done

# kubelet is supervised like a service manager would (Restart=always): a kubelet that dies or is killed comes back and
# takes over the running pods, which is what a kubelet restart on a real node looks like.
(
    while :; do
        "$bin/kubelet" --config="$work/kubelet.yaml" --kubeconfig="$work/kubelet.kubeconfig" \
            --root-dir="$work/kubelet" --hostname-override="$node_name" --node-ip="$node_ip" >>"$work/logs/kubelet.log" 2>&1 ||
            echo "node: kubelet exited with status $?; starting it again" >>"$work/logs/kubelet.log"
        sleep 1
    done
) &
"$bin/kube-proxy" --config="$work/kube-proxy.yaml" --hostname-override="$node_name" \
    >"$work/logs/kube-proxy.log" 2>&1 &
# catatonit (PID 1 here) forwards SIGTERM to this shell: the children go first, then the namespaces with them.
trap 'kill $(jobs -p) 2>/dev/null; wait; exit 0' TERM INT
wait
