package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.Outcome;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logfmt line per admission request ({@code key=value}, values with spaces or quotes double-quoted):
 * {@code admission uid=… namespace=… pod=… outcome=… reason="…" status=… dryRun=… durationMs=…}.
 * Denials and errors log at WARN, the rest at INFO.
 */
public final class AdmissionLog {
    private static final Logger LOG = LoggerFactory.getLogger("io.activemqha.webhook.admission");

    /** Logs the answer to one review. */
    public void answered(AdmissionResult result, long durationNanos) {
        log(result.outcome(), line(result.uid(), result.namespace(), result.podName(), result.outcome(), result.reason(),
                result.httpStatus(), result.dryRun(), durationNanos));
    }

    /** Logs a request refused before review (e.g. 413). */
    public void refused(int httpStatus, String reason, long durationNanos) {
        log(Outcome.ERROR, line(null, null, null, Outcome.ERROR, reason, httpStatus, false, durationNanos));
    }

    /** The line without the logger's prefix; pure, for tests. */
    public static String line(String uid, String namespace, String pod, Outcome outcome, String reason, int httpStatus,
                              boolean dryRun, long durationNanos) {
        return "admission"
                + " uid=" + value(uid)
                + " namespace=" + value(namespace)
                + " pod=" + value(pod)
                + " outcome=" + outcome.label()
                + " reason=" + value(reason)
                + " status=" + httpStatus
                + " dryRun=" + dryRun
                + " durationMs=" + String.format(Locale.ROOT, "%.3f", durationNanos / 1e6);
    }

    /** A logfmt value: bare when safe, else quoted with {@code \"}, {@code \\} and control characters escaped. */
    static String value(String text) {
        if (text == null || text.isEmpty()) {
            return "-";
        }
        boolean bare = text.chars().allMatch(c -> c > ' ' && c < 127 && c != '"' && c != '=' && c != '\\')
                && !text.equals("-");
        if (bare) {
            return text;
        }
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < ' ') {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    private static void log(Outcome outcome, String line) {
        if (outcome == Outcome.DENIED || outcome == Outcome.ERROR) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }
}
