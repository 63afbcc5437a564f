package io.activemqha.certs;

import java.util.List;

/**
 * What the serving certificate must be: the names it is valid for and its key type.
 *
 * @param hosts     DNS names and IP literals, in {@link ServiceHosts#canonicalHost canonical} form, the first
 *                  becoming the subject's CN
 * @param algorithm key type of new keys (a CA keeps its key type until it is rotated)
 */
public record CertificateRequest(List<String> hosts, KeyAlgorithm algorithm) {
    /** Rejects an empty name list. */
    public CertificateRequest {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one host name");
        }
        hosts = List.copyOf(hosts);
    }

    /** The request for a Service: its four cluster names plus {@code extraHosts}. */
    public static CertificateRequest forService(String service, String namespace, List<String> extraHosts,
                                                KeyAlgorithm algorithm) {
        return new CertificateRequest(ServiceHosts.of(service, namespace, extraHosts), algorithm);
    }
}
