package io.activemqha.certs;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * The fabric8 mock API server on loopback, in CRUD mode with expectations taking precedence (for error replies),
 * and a client that does not retry (so an error reply is seen once, at once).
 */
public final class MockApi implements AutoCloseable {
    public final KubernetesMockServer server;
    public final KubernetesClient client;

    public MockApi() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient(builder -> builder.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
    }

    /** Every request received since the last call, as "METHOD path". */
    public List<String> drainRequests() throws InterruptedException {
        List<String> requests = new ArrayList<>();
        for (RecordedRequest request = server.takeRequest(10, TimeUnit.MILLISECONDS); request != null;
                request = server.takeRequest(10, TimeUnit.MILLISECONDS)) {
            requests.add(request.getMethod() + " " + request.getPath());
        }
        return requests;
    }

    /** The requests of {@link #drainRequests()} that could change something (anything but GET). */
    public List<String> drainWrites() throws InterruptedException {
        return drainRequests().stream().filter(request -> !request.startsWith("GET ")).toList();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
