package io.activemqha.certs;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code check} found, one finding per line.
 *
 * @param findings in print order
 */
public record CheckReport(List<Finding> findings) {
    /** How a finding affects the verdict. */
    public enum Status {
        /** Fine. */
        OK,
        /** Works now, but expires within the warning window: the verdict fails so a CronJob notices. */
        EXPIRING,
        /** Broken: a TLS client would reject it, or it is missing. */
        FAIL
    }

    /**
     * One observation.
     *
     * @param status its effect
     * @param text   what was observed
     */
    public record Finding(Status status, String text) {
        /** The printed line, e.g. {@code OK       leaf chains to the CA bundle}. */
        public String line() {
            return String.format("%-9s%s", status, text);
        }
    }

    /** Copies the findings. */
    public CheckReport {
        findings = List.copyOf(findings);
    }

    /** This report followed by {@code more}. */
    public CheckReport plus(List<Finding> more) {
        List<Finding> all = new ArrayList<>(findings);
        all.addAll(more);
        return new CheckReport(all);
    }

    /** True when every finding is {@link Status#OK}. */
    public boolean passed() {
        return findings.stream().allMatch(finding -> finding.status() == Status.OK);
    }
}
