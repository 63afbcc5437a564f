package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code check} verdict as a pure function: expiry of every CA and of the serving certificate, whether the
 * serving certificate chains to the bundle, belongs to its key and carries the expected names.
 */
public final class MaterialCheck {
    private MaterialCheck() {
    }

    /**
     * Checks {@code material} at {@code now}.
     *
     * @param hosts       names the serving certificate must carry; empty: names are only listed
     * @param warnBefore  a serving certificate (or its CA) ending within this window fails the check as expiring
     */
    public static CheckReport check(ExistingMaterial material, Optional<List<String>> hosts, Duration warnBefore,
                                    Instant now) {
        List<CheckReport.Finding> findings = new ArrayList<>();
        if (material.caBundle().isEmpty()) {
            findings.add(fail("no CA bundle (ca.crt)"));
        }
        Optional<X509Certificate> issuer = material.leaf().flatMap(leaf -> Certificates.issuerIn(leaf, material.caBundle()));
        for (X509Certificate ca : material.caBundle()) {
            boolean signsLeaf = issuer.filter(ca::equals).isPresent();
            // Only the leaf's issuer matters: rotation leaves older CAs in the bundle until they expire.
            CheckReport.Status status = signsLeaf ? expiry(ca, now, warnBefore) : CheckReport.Status.OK;
            findings.add(new CheckReport.Finding(status,
                    "CA " + Certificates.subject(ca) + (signsLeaf ? " (issuer of the serving certificate)" : "")
                            + ": " + validity(ca, now)));
        }
        if (material.leaf().isEmpty()) {
            findings.add(fail("no serving certificate (tls.crt)"));
            return new CheckReport(findings);
        }
        X509Certificate leaf = material.leaf().get();
        findings.add(new CheckReport.Finding(expiry(leaf, now, warnBefore),
                "serving certificate " + Certificates.subject(leaf) + ": " + validity(leaf, now)));
        if (!material.caBundle().isEmpty()) {
            findings.add(Certificates.chainFailure(leaf, material.caBundle(), now)
                    .map(failure -> fail("serving certificate does not chain to the CA bundle: " + failure))
                    .orElseGet(() -> ok("serving certificate chains to the CA bundle")));
        }
        findings.add(material.leafKey().isEmpty() ? fail("no private key (tls.key)")
                : material.serving().isPresent() ? ok("tls.key belongs to tls.crt")
                : fail("tls.key does not belong to tls.crt"));
        findings.add(Certificates.allowsServerAuth(leaf) && !Certificates.isCa(leaf)
                ? ok("serving certificate: CA:FALSE, extended key usage serverAuth")
                : fail("not a serving certificate (needs CA:FALSE and extended key usage serverAuth)"));
        Set<String> names = new TreeSet<>(Certificates.subjectAlternativeNames(leaf));
        if (hosts.isEmpty()) {
            findings.add(ok("names " + names));
        } else {
            Set<String> missing = new TreeSet<>(hosts.get());
            missing.removeAll(names);
            findings.add(missing.isEmpty() ? ok("names " + names + " include every expected name")
                    : fail("names " + names + " lack " + missing));
        }
        return new CheckReport(findings);
    }

    /**
     * Whether each webhook's caBundle trusts {@code leaf} at {@code now}: the API server rejects the webhook
     * ("x509: certificate signed by unknown authority") when it does not.
     *
     * @param configuration the webhook configuration, for the text
     * @param bundles       caBundle by webhook name
     */
    public static List<CheckReport.Finding> caBundles(X509Certificate leaf, String configuration,
                                                      Map<String, List<X509Certificate>> bundles, Instant now) {
        List<CheckReport.Finding> findings = new ArrayList<>();
        bundles.forEach((webhook, bundle) -> {
            String what = configuration + " webhook " + webhook + ": caBundle";
            if (bundle.isEmpty()) {
                findings.add(fail(what + " is empty or unreadable"));
            } else {
                findings.add(Certificates.chainFailure(leaf, bundle, now)
                        .map(failure -> fail(what + " does not trust the serving certificate: " + failure))
                        .orElseGet(() -> ok(what + " trusts the serving certificate")));
            }
        });
        return findings;
    }

    private static CheckReport.Status expiry(X509Certificate certificate, Instant now, Duration warnBefore) {
        Instant end = certificate.getNotAfter().toInstant();
        if (now.isBefore(certificate.getNotBefore().toInstant()) || !now.isBefore(end)) {
            return CheckReport.Status.FAIL;
        }
        return Duration.between(now, end).compareTo(warnBefore) < 0
                ? CheckReport.Status.EXPIRING : CheckReport.Status.OK;
    }

    private static String validity(X509Certificate certificate, Instant now) {
        Instant start = certificate.getNotBefore().toInstant();
        Instant end = certificate.getNotAfter().toInstant();
        String state = now.isBefore(start) ? "not valid yet"
                : now.isBefore(end) ? "expires in " + Durations.format(Duration.between(now, end).withNanos(0))
                : "EXPIRED " + Durations.format(Duration.between(end, now).withNanos(0)) + " ago";
        return "valid " + start + " .. " + end + " (" + state + ")";
    }

    private static CheckReport.Finding ok(String text) {
        return new CheckReport.Finding(CheckReport.Status.OK, text);
    }

    private static CheckReport.Finding fail(String text) {
        return new CheckReport.Finding(CheckReport.Status.FAIL, text);
    }
}
