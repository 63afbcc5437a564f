package io.activemqha.certs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The host names under which a Kubernetes Service is reached, as the API server dials a webhook. */
public final class ServiceHosts {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final int MAX_DNS_NAME = 253;
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(.*\\.)?[0-9]+");

    private ServiceHosts() {
    }

    /**
     * {@code NAME}, {@code NAME.NS}, {@code NAME.NS.svc}, {@code NAME.NS.svc.cluster.local}, then {@code extra}
     * (each a DNS name or an IP literal, in canonical form, duplicates dropped).
     *
     * @throws IllegalArgumentException when the service or namespace is not an RFC 1123 DNS label, or an extra
     *                                  host is neither a DNS name nor an IP literal
     */
    public static List<String> of(String service, String namespace, List<String> extra) {
        requireDnsLabel("service", service);
        requireDnsLabel("namespace", namespace);
        LinkedHashSet<String> hosts = new LinkedHashSet<>(List.of(
                service,
                service + "." + namespace,
                service + "." + namespace + ".svc",
                service + "." + namespace + ".svc.cluster.local"));
        for (String host : extra) {
            hosts.add(canonicalHost(host));
        }
        return new ArrayList<>(hosts);
    }

    /** The name the API server verifies for a service reference: {@code NAME.NS.svc}. */
    public static String serviceDnsName(String service, String namespace) {
        return service + "." + namespace + ".svc";
    }

    /**
     * The form in which {@code host} is compared with a certificate's names: DNS names in lower case, IP literals
     * as {@link InetAddress#getHostAddress()} prints them (so {@code ::1} equals {@code 0:0:0:0:0:0:0:1}).
     *
     * @throws IllegalArgumentException when {@code host} is neither an RFC 1123 DNS name nor an IP literal
     */
    public static String canonicalHost(String host) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host name");
        }
        if (CertificateAuthority.isIpLiteral(host)) {
            try {
                // A validated literal: parsed locally, no lookup.
                return InetAddress.getByName(host).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + host, e);
            }
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.length() > MAX_DNS_NAME) {
            throw new IllegalArgumentException("host '" + host + "' is longer than 253 characters");
        }
        if (NUMERIC_LAST_LABEL.matcher(name).matches()) {
            // No top-level domain is all digits: this is a mistyped IP address, not a name.
            throw new IllegalArgumentException("host '" + host + "' looks like an IP address but is not a valid one");
        }
        for (String label : name.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("host '" + host + "' is neither an IP address nor a DNS name"
                        + " (dot-separated labels of lower-case letters, digits and '-', each at most 63"
                        + " characters, starting and ending alphanumeric)");
            }
        }
        return name;
    }

    static void requireDnsLabel(String what, String value) {
        if (value == null || !DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value
                    + "' is not a DNS label (lower-case letters, digits and '-', at most 63, starting and ending alphanumeric)");
        }
    }
}
