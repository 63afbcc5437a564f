package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Carries out a {@link Plan}: generates what it calls for and assembles the resulting material. */
public final class MaterialIssuer {
    /** Prefix of a new CA's commonName; the creation second follows, so successive CAs are told apart by name. */
    public static final String CA_NAME_PREFIX = "activemq-ha-webhook-ca@";

    private MaterialIssuer() {
    }

    /**
     * The material after {@code plan}.
     *
     * @throws IllegalStateException when the plan does not fit {@code existing} (a kept part is missing)
     */
    public static CertificateMaterial apply(Plan plan, ExistingMaterial existing, CertificateRequest request,
                                            RenewalPolicy policy, Instant now) {
        CertificateAuthority signer;
        List<X509Certificate> bundle = new ArrayList<>();
        if (plan.ca() == Plan.CaAction.KEEP) {
            signer = existing.signer().orElseThrow(() -> new IllegalStateException("plan keeps a CA that is missing"));
        } else {
            signer = CertificateAuthority.create(CA_NAME_PREFIX + now.getEpochSecond(),
                    Validity.startingAt(now, policy.caValidity()), request.algorithm());
            bundle.add(signer.certificate());
        }
        bundle.addAll(plan.retainedCas());
        ServingCertificate leaf = plan.issueLeaf()
                ? signer.issueServing(request.hosts(), Validity.startingAt(now, policy.leafValidity()), request.algorithm())
                : existing.serving().orElseThrow(() -> new IllegalStateException("plan keeps a leaf that is missing"));
        return new CertificateMaterial(bundle, signer, leaf);
    }
}
