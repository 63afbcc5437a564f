package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The last gate before {@code create} writes: the material must be complete and coherent, so that a working
 * Secret is never replaced by something worse.
 */
public final class MaterialValidator {
    private MaterialValidator() {
    }

    /**
     * Every reason why {@code material} must not be written for {@code request} at {@code now}; empty when it is good.
     */
    public static List<String> problems(CertificateMaterial material, CertificateRequest request, Instant now) {
        List<String> problems = new ArrayList<>();
        X509Certificate leaf = material.leaf().certificate();
        CertificateAuthority signer = material.signer();
        if (!Certificates.keysMatch(signer.privateKey(), signer.certificate().getPublicKey())) {
            problems.add("the CA key does not belong to the CA certificate");
        }
        if (!material.caBundle().contains(signer.certificate())) {
            problems.add("the bundle lacks the current CA");
        }
        material.caBundle().stream().filter(ca -> !Certificates.isCa(ca))
                .forEach(ca -> problems.add("the bundle holds a non-CA certificate " + Certificates.subject(ca)));
        if (!Certificates.keysMatch(material.leaf().privateKey(), leaf.getPublicKey())) {
            problems.add("tls.key does not belong to tls.crt");
        }
        Certificates.chainFailure(leaf, material.caBundle(), now)
                .ifPresent(failure -> problems.add("tls.crt does not chain to ca.crt: " + failure));
        if (Certificates.isCa(leaf) || !Certificates.allowsServerAuth(leaf)) {
            problems.add("tls.crt is not a serving certificate (CA:FALSE, serverAuth)");
        }
        Set<String> names = new TreeSet<>(Certificates.subjectAlternativeNames(leaf));
        if (!names.equals(new TreeSet<>(request.hosts()))) {
            problems.add("tls.crt names " + names + ", not the requested " + new TreeSet<>(request.hosts()));
        }
        return problems;
    }

    /**
     * Throws when {@link #problems} finds any.
     *
     * @throws CertsException listing the problems, saying nothing was written
     */
    public static void requireValid(CertificateMaterial material, CertificateRequest request, Instant now) {
        List<String> problems = problems(material, request, now);
        if (!problems.isEmpty()) {
            throw new CertsException("refusing to write invalid material: " + String.join("; ", problems));
        }
    }
}
