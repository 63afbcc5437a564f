package io.activemqha.certs;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What {@code create} will do, decided by {@link RenewalPlanner} before anything is generated or written.
 *
 * @param ca          what happens to the CA
 * @param issueLeaf   true when a new serving certificate is issued (by the current, possibly new, CA)
 * @param retainedCas the existing CAs kept in the bundle (after the new CA, if any): those not yet expired
 * @param bundleChanges true when the bundle differs from the existing one even without a new CA (a CA dropped)
 * @param reasons     why, one sentence per decision, for the user
 */
public record Plan(CaAction ca, boolean issueLeaf, List<X509Certificate> retainedCas, boolean bundleChanges,
                   List<String> reasons) {
    /** What happens to the CA. */
    public enum CaAction {
        /** The current CA stays and signs. */
        KEEP,
        /** There is no CA yet: one is created. */
        CREATE,
        /** A new CA is created and put first in the bundle; the previous ones stay until they expire. */
        ROTATE
    }

    /** Copies the lists. */
    public Plan {
        retainedCas = List.copyOf(retainedCas);
        reasons = List.copyOf(reasons);
    }

    /** True when the existing material stays exactly as it is: nothing is written. */
    public boolean keepsEverything() {
        return ca == CaAction.KEEP && !issueLeaf && !bundleChanges;
    }
}
