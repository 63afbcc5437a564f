package io.activemqha.cli.status;

import io.activemqha.common.LabelerContract;
import java.io.PrintWriter;

/** Prints a {@link StatusReport} for people. */
public final class StatusText {
    public void print(StatusReport report, PrintWriter out) {
        out.printf("namespace %s at %s%n", report.namespace(), report.takenAt());
        for (StatusReport.Group group : report.groups()) {
            out.printf("%nGROUP %s%n", group.name());
            out.printf("  leader:   %s%n", group.leader() == null ? "NONE" : group.leader());
            out.printf("  standbys: %s%n", group.standbys().isEmpty() ? "none" : String.join(", ", group.standbys()));
            out.printf("  %-28s %-7s %-10s %-40s %s%n", "POD", "LEADER", "PHASE", "BROKER (ID)", LabelerContract.CONTAINER_NAME.toUpperCase());
            for (StatusReport.Broker broker : group.pods()) {
                String id = broker.brokerName() == null ? "- (never led while events were kept)"
                        : broker.brokerName() + " (" + broker.brokerId() + ")";
                String labeler = broker.labeler() == null ? "NOT INJECTED"
                        : (broker.labeler().ready() ? "ready" : "NOT READY") + ", " + broker.labeler().state()
                        + ", restarts " + broker.labeler().restarts();
                out.printf("  %-28s %-7s %-10s %-40s %s%n", broker.pod(), orDash(broker.leaderLabel()),
                        orDash(broker.phase()), id, labeler);
            }
            out.println("  services:");
            if (group.services().isEmpty()) {
                out.println("    none selects this group");
            }
            for (StatusReport.ServiceRoute route : group.services()) {
                out.printf("    %s %s -> ready %s%s%n", route.name(), route.selector(),
                        route.readyEndpoints().isEmpty() ? "NONE" : route.readyEndpoints(),
                        route.notReadyEndpoints().isEmpty() ? "" : ", not ready " + route.notReadyEndpoints());
            }
            out.println("  last transitions:");
            if (group.transitions().isEmpty()) {
                out.println("    none recorded (Events expire after the API server's --event-ttl, 1h by default)");
            }
            for (StatusReport.Transition transition : group.transitions()) {
                out.printf("    %s %-15s %s: %s%n", transition.time(), transition.reason(), transition.pod(),
                        transition.message());
            }
        }
        if (!report.warnings().isEmpty()) {
            out.println();
        }
        report.warnings().forEach(w -> out.println("WARNING " + w));
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
