package io.activemqha.labeler.kube;

/** Names a pod: the labeler's own, or a peer of its group. */
public record PodRef(String namespace, String name) {
    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
