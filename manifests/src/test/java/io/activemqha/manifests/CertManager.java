package io.activemqha.manifests;

import java.util.List;
import java.util.Map;

/**
 * The part of cert-manager's {@code cert-manager.io/v1} API that deploy/ uses. fabric8 8 ships no cert-manager
 * model, so these records stand in for it; they are read with unknown fields failing, so a misspelt field in
 * components/cert-manager fails the test instead of being ignored by the API server's pruning.
 */
final class CertManager {
    static final String API_VERSION = "cert-manager.io/v1";

    private CertManager() {
    }

    /** Object metadata as kustomize renders it. */
    record Metadata(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
    }

    /** {@code Issuer}: self-signed, or a CA whose key pair is in a Secret. */
    record Issuer(String apiVersion, String kind, Metadata metadata, IssuerSpec spec) {
    }

    record IssuerSpec(Map<String, Object> selfSigned, CaIssuer ca) {
    }

    record CaIssuer(String secretName) {
    }

    /** {@code Certificate}: what cert-manager issues into {@code secretName}. */
    record Certificate(String apiVersion, String kind, Metadata metadata, CertificateSpec spec) {
    }

    record CertificateSpec(Boolean isCA, String commonName, String secretName, List<String> dnsNames,
                           String duration, String renewBefore, PrivateKey privateKey, List<String> usages,
                           IssuerRef issuerRef) {
    }

    record PrivateKey(String algorithm, Integer size, String encoding, String rotationPolicy) {
    }

    record IssuerRef(String group, String kind, String name) {
    }
}
