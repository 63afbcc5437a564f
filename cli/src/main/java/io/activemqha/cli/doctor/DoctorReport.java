package io.activemqha.cli.doctor;

import java.util.List;

/**
 * The {@code doctor} verdict: one finding per check, in check order.
 *
 * @param takenAt  when the cluster was read (ISO-8601)
 * @param findings every finding
 */
public record DoctorReport(String takenAt, List<Finding> findings) {
    public DoctorReport {
        findings = List.copyOf(findings);
    }

    /** How a finding affects the exit code. */
    public enum Severity {
        /** Fine. */
        OK,
        /** Works now but needs attention (e.g. a certificate expiring soon). */
        WARNING,
        /** Broken: something to fix. */
        PROBLEM
    }

    /**
     * One observation.
     *
     * @param check    what was checked (a short stable key, e.g. {@code webhook-ca-bundle})
     * @param severity its effect
     * @param message  what was found
     * @param fix      what to do about it (null when fine)
     */
    public record Finding(String check, Severity severity, String message, String fix) {
        static Finding ok(String check, String message) {
            return new Finding(check, Severity.OK, message, null);
        }

        static Finding problem(String check, String message, String fix) {
            return new Finding(check, Severity.PROBLEM, message, fix);
        }

        static Finding warning(String check, String message, String fix) {
            return new Finding(check, Severity.WARNING, message, fix);
        }
    }

    /** True when every finding is {@link Severity#OK}. */
    public boolean healthy() {
        return findings.stream().allMatch(f -> f.severity() == Severity.OK);
    }

    public List<Finding> problems() {
        return findings.stream().filter(f -> f.severity() != Severity.OK).toList();
    }
}
