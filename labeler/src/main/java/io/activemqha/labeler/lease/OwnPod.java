package io.activemqha.labeler.lease;

import java.util.Set;

/**
 * What the keeper knows of its own pod, from the API server and so from the kubelet's reports.
 *
 * @param uid            the pod's UID, part of the Lease's holder identity
 * @param runningLockers IDs of the containers that run the lease locker (those given the locker's endpoint) and that
 *                       the kubelet reports running; a container that ended or restarted drops out or changes ID
 */
public record OwnPod(String uid, Set<String> runningLockers) {
    public OwnPod {
        runningLockers = Set.copyOf(runningLockers);
    }
}
