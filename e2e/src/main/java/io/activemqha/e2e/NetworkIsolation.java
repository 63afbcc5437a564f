package io.activemqha.e2e;

import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The network rule of the end-to-end tests: every component talks to loopback only. The test JVM runs in a network
 * namespace of its own ({@code e2e/netns/bin/java}) whose only interface is {@code lo}, so no process it starts can
 * reach any other address, whatever it is configured with; this class checks that the namespace really is empty.
 */
public final class NetworkIsolation {
    private static final List<String> PROXY_VARIABLES = List.of(
            "http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY");

    private NetworkIsolation() {
    }

    /**
     * Fails unless every interface that is up is a loopback interface.
     *
     * @throws IllegalStateException naming the interfaces that break the rule
     */
    public static void requireLoopbackOnly() {
        List<String> offending;
        try {
            offending = NetworkInterface.networkInterfaces()
                    .filter(NetworkIsolation::isUpAndNotLoopback)
                    .map(n -> n.getName() + " " + n.getInterfaceAddresses().stream()
                            .map(InterfaceAddress::getAddress).map(Object::toString).collect(Collectors.toList()))
                    .collect(Collectors.toList());
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces", e);
        }
        if (!offending.isEmpty()) {
            throw new IllegalStateException("the end-to-end tests must run in a network namespace holding only "
                    + "loopback (mvn -Pe2e starts the test JVM through e2e/netns/bin/java), but these interfaces are up: "
                    + offending);
        }
    }

    /** Removes proxy settings, which would send loopback-bound requests of a child process elsewhere. */
    public static void scrubProxyVariables(Map<String, String> environment) {
        PROXY_VARIABLES.forEach(environment::remove);
    }

    private static boolean isUpAndNotLoopback(NetworkInterface network) {
        try {
            return network.isUp() && !network.isLoopback();
        } catch (SocketException e) {
            return true;
        }
    }
}
