package io.activemqha.manifests;

import java.util.UUID;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The AdmissionRequest envelope the API server hands a ValidatingAdmissionPolicy, for the policy tests: what is
 * written, by whom, with the claims of a pod-bound service-account token. Each test adds its objects and options.
 */
final class AdmissionRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The resource written: its API group, kind and plural. */
    record Target(String group, String kind, String resource) {
        static final Target POD = new Target("", "Pod", "pods");
        static final Target LEASE = new Target("coordination.k8s.io", "Lease", "leases");
    }

    /**
     * Who writes: the username and, for a pod-bound token, the pod's name and UID claims (null when the token has no
     * such claim).
     */
    record Requester(String username, String pod, String podUid) {
    }

    private AdmissionRequests() {
    }

    static ObjectNode request(Target target, String operation, String name, String namespace, Requester requester) {
        ObjectNode request = JSON.createObjectNode();
        request.put("uid", UUID.randomUUID().toString());
        request.putObject("kind").put("group", target.group()).put("version", "v1").put("kind", target.kind());
        request.putObject("resource").put("group", target.group()).put("version", "v1").put("resource", target.resource());
        request.put("name", name);
        request.put("namespace", namespace);
        request.put("operation", operation);
        ObjectNode user = request.putObject("userInfo");
        user.put("username", requester.username());
        user.putArray("groups").add("system:serviceaccounts").add("system:authenticated");
        if (requester.pod() != null || requester.podUid() != null) {
            ObjectNode extra = user.putObject("extra");
            if (requester.pod() != null) {
                extra.putArray("authentication.kubernetes.io/pod-name").add(requester.pod());
            }
            if (requester.podUid() != null) {
                extra.putArray("authentication.kubernetes.io/pod-uid").add(requester.podUid());
            }
        }
        return request;
    }
}
