package io.activemqha.webhook.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.activemqha.common.Annotations;
import io.activemqha.common.LabelerContract;
import io.activemqha.common.Labels;
import io.activemqha.common.LeaseContract;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Structure-aware mutations of a pod or pod template (an object with {@code metadata} and {@code spec}), chosen by
 * the fuzzer's bytes: the fields the injection reads or writes (annotations and every override, labels, containers
 * and initContainers including a pre-existing {@code leader-labeler}, volumes and mounts including the plugin's
 * {@code kube-api-access-*} token and the lease locker's, env, ownerReferences, service account, token automount,
 * names), keys that need
 * JSON-Pointer escaping, and type confusion (a field replaced by a value of another JSON type).
 */
final class PodEdits {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> ANNOTATION_KEYS = Stream.concat(
            Stream.of(Annotations.ENABLED, Annotations.INJECTED, Annotations.GROUP),
            Stream.concat(Annotations.OVERRIDES.stream(),
                    Stream.of("example.com/a~b", "~0~1", "a/b/c", "", "ünïcode/ключ", "activemq-ha/", "Activemq-HA")))
            .toList();
    private static final List<String> LABEL_KEYS = List.of(Labels.LEADER, Labels.GROUP, Labels.MANAGED_BY,
            "app.kubernetes.io/name", "x/y~z", "~", "");
    private static final List<String> VALUES = List.of("true", "false", "True", "TRUE", "yes", "no", "", " true",
            "1", "0", "-1", "8099", "65535", "65536", "busybox:1.36", "registry.example/labeler@sha256:0", "tcp://localhost:61616",
            "ssl://broker:61617?x=1", "http://[::1", "not a url", "100m", "0.5", "64Mi", "1e3", "-5Mi", "abc", "orders-broker",
            "a".repeat(300), "ünï", "~/", "\u0000", "\n", LeaseContract.LOCKER_LEASE, LeaseContract.LOCKER_SHARED_FILE,
            LeaseContract.DEFAULT_LEASE_DURATION, "2s", "1500ms", LeaseContract.DEFAULT_LOCKER_LIB_DIR, "/", "relative/dir");
    private static final List<String> CONTAINER_NAMES = List.of(LabelerContract.CONTAINER_NAME, "broker", "sidecar",
            "kube-api-access-abcde", "", LeaseContract.LOCKER_INSTALL_CONTAINER_NAME);
    private static final List<String> VOLUME_NAMES = List.of("kube-api-access-x7k2p", "kube-api-access-", LabelerContract.TOKEN_VOLUME_NAME,
            "kahadb", "data", "", LeaseContract.LOCKER_VOLUME_NAME);
    private static final List<String> MOUNT_PATHS = List.of(LabelerContract.TOKEN_MOUNT_PATH, "/data",
            LeaseContract.DEFAULT_LOCKER_LIB_DIR, LeaseContract.DEFAULT_LOCKER_LIB_DIR + "/", "relative");
    private static final List<String> ENV_NAMES = List.of(LabelerContract.ENV_BROKER_URL, LeaseContract.ENV_LEASE_URL,
            LeaseContract.ENV_LEASE_GROUP);
    private static final List<String> OWNER_KINDS = List.of("ReplicaSet", "StatefulSet", "Deployment", "Job", "DaemonSet", "Node", "");
    private static final List<String> OWNER_NAMES = List.of("orders-broker-6b8f9c7d5", "orders-broker", "-", "a-", "-b", "a-b-c-d", "", "x");
    private static final List<String> ACCOUNTS = List.of("default", "", "custom-sa", "activemq-leader-labeler", "a~b/c");

    private PodEdits() {
    }

    /** Applies up to {@code maxEdits} edits chosen by {@code data} to {@code pod} in place. */
    static void apply(FuzzedDataProvider data, ObjectNode pod, int maxEdits) {
        int edits = data.consumeInt(0, maxEdits);
        for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
            edit(data, pod);
        }
    }

    private static void edit(FuzzedDataProvider data, ObjectNode pod) {
        ObjectNode metadata = objectAt(pod, "metadata");
        ObjectNode spec = objectAt(pod, "spec");
        switch (data.consumeInt(0, 15)) {
            case 0 -> objectAt(metadata, "annotations").put(key(data, ANNOTATION_KEYS), value(data));
            case 1 -> removeSome(data, objectAt(metadata, "annotations"));
            case 2 -> objectAt(metadata, "labels").put(key(data, LABEL_KEYS), value(data));
            case 3 -> removeSome(data, objectAt(metadata, "labels"));
            case 4 -> arrayAt(spec, "containers").add(container(data));
            case 5 -> {
                ObjectNode init = container(data);
                if (data.consumeBoolean()) {
                    init.put("restartPolicy", data.consumeBoolean() ? "Always" : value(data));
                }
                arrayAt(spec, "initContainers").add(init);
            }
            case 6 -> removeOne(data, arrayAt(spec, data.consumeBoolean() ? "containers" : "initContainers"));
            case 7 -> arrayAt(spec, "volumes").add(volume(data));
            case 8 -> removeOne(data, arrayAt(spec, "volumes"));
            case 9 -> arrayAt(metadata, "ownerReferences").add(ownerReference(data));
            case 10 -> metadata.remove("ownerReferences");
            case 11 -> serviceAccount(data, spec);
            case 12 -> {
                switch (data.consumeInt(0, 3)) {
                    case 0 -> spec.put("automountServiceAccountToken", true);
                    case 1 -> spec.put("automountServiceAccountToken", false);
                    case 2 -> spec.remove("automountServiceAccountToken");
                    default -> spec.put("automountServiceAccountToken", value(data));
                }
            }
            case 13 -> {
                String field = data.consumeBoolean() ? "name" : "generateName";
                if (data.consumeBoolean()) {
                    metadata.remove(field);
                } else {
                    metadata.put(field, data.pickValue(OWNER_NAMES) + (data.consumeBoolean() ? "-" : ""));
                }
            }
            case 14 -> confuseType(data, pod);
            default -> metadata.set(data.consumeBoolean() ? "annotations" : "labels", data.consumeBoolean()
                    ? NODES.nullNode() : NODES.stringNode(value(data)));
        }
    }

    private static ObjectNode container(FuzzedDataProvider data) {
        ObjectNode container = NODES.objectNode();
        container.put("name", data.consumeBoolean() ? data.pickValue(CONTAINER_NAMES) : data.consumeString(12));
        container.put("image", data.consumeBoolean() ? "busybox:1.36" : value(data));
        if (data.consumeBoolean()) {
            ObjectNode mount = container.putArray("volumeMounts").addObject();
            mount.put("name", data.pickValue(VOLUME_NAMES));
            mount.put("mountPath", data.pickValue(MOUNT_PATHS));
        }
        if (data.consumeBoolean()) {
            ObjectNode env = container.putArray("env").addObject();
            env.put("name", data.consumeBoolean() ? data.pickValue(ENV_NAMES) : data.consumeString(8));
            env.put("value", value(data));
        }
        return container;
    }

    private static ObjectNode volume(FuzzedDataProvider data) {
        ObjectNode volume = NODES.objectNode();
        volume.put("name", data.consumeBoolean() ? data.pickValue(VOLUME_NAMES) : data.consumeString(12));
        if (data.consumeBoolean()) {
            ArrayNode sources = volume.putObject("projected").putArray("sources");
            sources.addObject().putObject("serviceAccountToken").put("path", "token").put("expirationSeconds", 3607);
            sources.addObject().putObject("configMap").put("name", "kube-root-ca.crt");
        } else {
            volume.putObject("emptyDir");
        }
        return volume;
    }

    private static ObjectNode ownerReference(FuzzedDataProvider data) {
        ObjectNode owner = NODES.objectNode();
        owner.put("apiVersion", data.consumeBoolean() ? "apps/v1" : value(data));
        owner.put("kind", data.pickValue(OWNER_KINDS));
        owner.put("name", data.consumeBoolean() ? data.pickValue(OWNER_NAMES) : data.consumeString(20));
        owner.put("uid", "5c1d2e3f-0000-4000-8000-00000000000" + data.consumeInt(0, 9));
        if (data.consumeBoolean()) {
            owner.put("controller", data.consumeBoolean());
        }
        return owner;
    }

    private static void serviceAccount(FuzzedDataProvider data, ObjectNode spec) {
        String field = data.consumeBoolean() ? "serviceAccountName" : "serviceAccount";
        switch (data.consumeInt(0, 2)) {
            case 0 -> spec.remove(field);
            case 1 -> spec.putNull(field);
            default -> spec.put(field, data.consumeBoolean() ? data.pickValue(ACCOUNTS) : data.consumeString(16));
        }
    }

    /** Replaces a field somewhere in the pod by a value of a random JSON type. */
    private static void confuseType(FuzzedDataProvider data, ObjectNode pod) {
        List<ObjectNode> parents = new ArrayList<>();
        collectObjects(pod, parents);
        ObjectNode parent = data.pickValue(parents);
        List<String> fields = new ArrayList<>(parent.propertyNames());
        if (fields.isEmpty()) {
            return;
        }
        String field = data.pickValue(fields);
        switch (data.consumeInt(0, 5)) {
            case 0 -> parent.putNull(field);
            case 1 -> parent.put(field, data.consumeLong());
            case 2 -> parent.put(field, data.consumeBoolean());
            case 3 -> parent.putArray(field).add(value(data));
            case 4 -> parent.putObject(field).put(value(data), value(data));
            default -> parent.put(field, value(data));
        }
    }

    private static void collectObjects(JsonNode node, List<ObjectNode> into) {
        if (node instanceof ObjectNode object) {
            into.add(object);
        }
        for (JsonNode child : node.values()) {
            collectObjects(child, into);
        }
    }

    private static void removeSome(FuzzedDataProvider data, ObjectNode map) {
        List<String> keys = new ArrayList<>(map.propertyNames());
        if (!keys.isEmpty()) {
            map.remove(data.pickValue(keys));
        }
    }

    private static void removeOne(FuzzedDataProvider data, ArrayNode array) {
        if (!array.isEmpty()) {
            array.remove(data.consumeInt(0, array.size() - 1));
        }
    }

    private static String key(FuzzedDataProvider data, List<String> known) {
        return data.consumeBoolean() ? data.pickValue(known) : data.consumeString(24);
    }

    private static String value(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(40);
    }

    /** The object at {@code field}, created (replacing a value of another type) when needed. */
    static ObjectNode objectAt(ObjectNode parent, String field) {
        JsonNode node = parent.get(field);
        return node instanceof ObjectNode object ? object : parent.putObject(field);
    }

    private static ArrayNode arrayAt(ObjectNode parent, String field) {
        JsonNode node = parent.get(field);
        return node instanceof ArrayNode array ? array : parent.putArray(field);
    }
}
