package io.activemqha.cli.doctor;

import java.io.PrintWriter;

/** Prints a {@link DoctorReport}: one line per finding, the fix indented under each that needs one. */
public final class DoctorText {
    public void print(DoctorReport report, PrintWriter out) {
        for (DoctorReport.Finding finding : report.findings()) {
            out.printf("%-8s %-25s %s%n", finding.severity(), finding.check(), finding.message());
            if (finding.fix() != null) {
                out.printf("%-8s %-25s fix: %s%n", "", "", finding.fix());
            }
        }
        int problems = report.problems().size();
        out.println(problems == 0 ? "doctor: all " + report.findings().size() + " findings OK"
                : "doctor: " + problems + " of " + report.findings().size() + " findings need attention");
    }
}
