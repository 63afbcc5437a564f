package io.activemqha.certs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Test fixtures: material created through the production planner and issuer at chosen instants. */
public final class Pki {
    public static final String SERVICE = "activemq-ha-webhook";
    public static final String NAMESPACE = "activemq-ha";
    public static final String SERVICE_DNS = SERVICE + "." + NAMESPACE + ".svc";
    public static final CertificateRequest REQUEST =
            CertificateRequest.forService(SERVICE, NAMESPACE, List.of(), KeyAlgorithm.EC_P256);

    private Pki() {
    }

    /** One {@code create} run at {@code now} on {@code existing}: plan, issue, validate. */
    public static CertificateMaterial run(ExistingMaterial existing, CertificateRequest request, RenewalPolicy policy,
                                   Instant now) {
        Plan plan = RenewalPlanner.plan(existing, request, policy, now);
        CertificateMaterial material = MaterialIssuer.apply(plan, existing, request, policy, now);
        MaterialValidator.requireValid(material, request, now);
        return material;
    }

    /** Fresh material created at {@code now} with the default policy. */
    public static CertificateMaterial fresh(Instant now) {
        return run(ExistingMaterial.none(), REQUEST, RenewalPolicy.defaults(), now);
    }

    public static Duration days(long days) {
        return Duration.ofDays(days);
    }
}
