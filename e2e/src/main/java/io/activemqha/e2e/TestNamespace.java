package io.activemqha.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.UUID;

/** A namespace of its own for one test; {@link #close()} deletes it and waits until the namespace controller has. */
public final class TestNamespace implements AutoCloseable {
    private static final Duration DELETION = Duration.ofSeconds(90);

    private final KubernetesClient client;
    private final String name;

    private TestNamespace(KubernetesClient client, String name) {
        this.client = client;
        this.name = name;
    }

    /** Creates {@code <prefix>-<random>}. */
    public static TestNamespace create(KubernetesClient client, String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return new TestNamespace(client, name);
    }

    public String name() {
        return name;
    }

    @Override
    public void close() {
        client.namespaces().withName(name).delete();
        Await.untilTrue("namespace " + name + " to be deleted", DELETION,
                () -> client.namespaces().withName(name).get() == null,
                () -> String.valueOf(client.namespaces().withName(name).get()));
    }
}
