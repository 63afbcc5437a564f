package io.activemqha.certs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** The host names under which a Kubernetes Service is reached, as the API server dials a webhook. */
public final class ServiceHosts {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    private ServiceHosts() {
    }

    /**
     * {@code NAME}, {@code NAME.NS}, {@code NAME.NS.svc}, {@code NAME.NS.svc.cluster.local}, then {@code extra}.
     *
     * @throws IllegalArgumentException when the service or namespace is not an RFC 1123 DNS label
     */
    public static List<String> of(String service, String namespace, List<String> extra) {
        requireDnsLabel("service", service);
        requireDnsLabel("namespace", namespace);
        LinkedHashSet<String> hosts = new LinkedHashSet<>(List.of(
                service,
                service + "." + namespace,
                service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local"));
        hosts.addAll(extra);
        return new ArrayList<>(hosts);
    }

    /** The name the API server verifies for a service reference: {@code NAME.NS.svc}. */
    public static String serviceDnsName(String service, String namespace) {
        return service + "." + namespace + ".svc";
    }

    static void requireDnsLabel(String what, String value) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' is not a DNS label (lower-case letters, digits and '-', at most 63, starting and ending alphanumeric)");
        }
    }
}
