package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides, as a pure function of the existing material, the request, the policy and the current instant, whether
 * {@code create} keeps everything, renews the serving certificate, or creates or rotates the CA.
 *
 * <p>A CA rotation is two-phase, so that the API server never sees a leaf it cannot verify: the run that rotates
 * publishes the new CA next to the old ones and keeps a still-good leaf on the old CA; a later run, once the new CA
 * has been in the bundle for {@link RenewalPolicy#caPublicationDelay()} (and {@code patch} has put it in every
 * caBundle), moves the leaf to it. Old CAs leave the bundle when they expire; a leaf never outlives its CA, so by
 * then every leaf they signed has expired too.
 */
public final class RenewalPlanner {
    private RenewalPlanner() {
    }

    /** The plan for {@code existing} at {@code now}. */
    public static Plan plan(ExistingMaterial existing, CertificateRequest request, RenewalPolicy policy, Instant now) {
        List<String> reasons = new ArrayList<>();
        Optional<CertificateAuthority> signer = existing.signer();
        Plan.CaAction ca = caAction(existing, signer, policy, now, reasons);

        List<X509Certificate> retained = existing.caBundle().stream()
                .filter(certificate -> now.isBefore(certificate.getNotAfter().toInstant()))
                .distinct()
                .sorted(Comparator.comparing(X509Certificate::getNotAfter).reversed())
                .toList();
        if (ca == Plan.CaAction.KEEP) {
            // The signer goes first in ca.crt: it is the CA that matters from now on.
            X509Certificate current = signer.orElseThrow().certificate();
            List<X509Certificate> ordered = new ArrayList<>(List.of(current));
            retained.stream().filter(certificate -> !certificate.equals(current)).forEach(ordered::add);
            retained = ordered;
        }
        boolean bundleChanges = !retained.equals(existing.caBundle());
        if (bundleChanges && ca == Plan.CaAction.KEEP) {
            reasons.add("the bundle drops expired or duplicate CAs, or puts the current CA first");
        }

        Optional<String> leafProblem = leafProblem(existing, request, policy, now, retained);
        boolean issueLeaf;
        if (leafProblem.isPresent()) {
            issueLeaf = true;
            reasons.add(leafProblem.get());
        } else if (ca != Plan.CaAction.KEEP) {
            issueLeaf = false;
            reasons.add("the serving certificate stays on the previous CA until the new one has been published for "
                    + Durations.format(policy.caPublicationDelay()));
        } else {
            CertificateAuthority current = signer.orElseThrow();
            X509Certificate leaf = existing.leaf().orElseThrow();
            Instant published = current.certificate().getNotBefore().toInstant().plus(Validity.BACKDATE);
            boolean onPreviousCa = !current.signed(leaf);
            issueLeaf = onPreviousCa && !now.isBefore(published.plus(policy.caPublicationDelay()));
            if (issueLeaf) {
                reasons.add("the serving certificate moves from the previous CA to the current one");
            } else if (onPreviousCa) {
                reasons.add("the serving certificate stays on the previous CA until the new one has been published"
                        + " for " + Durations.format(policy.caPublicationDelay()));
            }
        }
        return new Plan(ca, issueLeaf, retained, bundleChanges && ca == Plan.CaAction.KEEP, reasons);
    }

    private static Plan.CaAction caAction(ExistingMaterial existing, Optional<CertificateAuthority> signer,
                                          RenewalPolicy policy, Instant now, List<String> reasons) {
        if (existing.caBundle().isEmpty() && existing.caKey().isEmpty()) {
            reasons.add("there is no CA yet");
            return Plan.CaAction.CREATE;
        }
        if (signer.isEmpty()) {
            reasons.add(existing.caKey().isEmpty()
                    ? "the CA key is missing, so no CA can sign: a new CA is created"
                    : "the CA key matches no certificate in ca.crt: a new CA is created");
            return Plan.CaAction.ROTATE;
        }
        X509Certificate current = signer.get().certificate();
        Instant end = current.getNotAfter().toInstant();
        if (!now.isBefore(end)) {
            reasons.add("the CA expired on " + end + ": a new CA is created");
            return Plan.CaAction.ROTATE;
        }
        Duration window = policy.caRenewalWindow(current);
        if (Duration.between(now, end).compareTo(window) < 0) {
            reasons.add("the CA expires on " + end + ", within its rotation window of " + Durations.format(window)
                    + ": a new CA is created next to it");
            return Plan.CaAction.ROTATE;
        }
        return Plan.CaAction.KEEP;
    }

    private static Optional<String> leafProblem(ExistingMaterial existing, CertificateRequest request,
                                                RenewalPolicy policy, Instant now, List<X509Certificate> bundle) {
        if (existing.leaf().isEmpty()) {
            return Optional.of("there is no serving certificate yet");
        }
        if (existing.leafKey().isEmpty()) {
            return Optional.of("the serving certificate's key is missing");
        }
        if (existing.serving().isEmpty()) {
            return Optional.of("tls.key does not belong to tls.crt");
        }
        X509Certificate leaf = existing.leaf().get();
        Instant end = leaf.getNotAfter().toInstant();
        if (!now.isBefore(end)) {
            return Optional.of("the serving certificate expired on " + end);
        }
        Optional<String> chain = Certificates.chainFailure(leaf, bundle, now);
        if (chain.isPresent()) {
            return Optional.of("the serving certificate does not chain to the bundle: " + chain.get());
        }
        Set<String> names = new TreeSet<>(Certificates.subjectAlternativeNames(leaf));
        Set<String> wanted = new TreeSet<>(request.hosts());
        if (!names.equals(wanted)) {
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(names);
            Set<String> extra = new TreeSet<>(names);
            extra.removeAll(wanted);
            return Optional.of("the serving certificate's names differ from the requested ones (missing " + missing
                    + ", not requested " + extra + ")");
        }
        Optional<KeyAlgorithm> algorithm = KeyAlgorithm.of(leaf.getPublicKey());
        if (algorithm.isEmpty() || algorithm.get() != request.algorithm()) {
            return Optional.of("the serving certificate's key is " + algorithm.map(KeyAlgorithm::cliName).orElse("of another type")
                    + ", " + request.algorithm().cliName() + " was requested");
        }
        Duration window = policy.leafRenewalWindow(leaf);
        if (Duration.between(now, end).compareTo(window) < 0) {
            return Optional.of("the serving certificate expires on " + end + ", within its renewal window of "
                    + Durations.format(window));
        }
        return Optional.empty();
    }
}
