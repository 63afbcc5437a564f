package io.activemqha.webhook.server;

import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.Outcome;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logfmt line per admission request ({@code key=value}, values with spaces or quotes double-quoted):
 * {@code admission uid=… namespace=… pod=… outcome=… reason="…" status=… dryRun=… durationMs=…}.
 *
 * <p>Denials and errors are always logged, at WARN. Allowed answers (injected, skipped) are logged at INFO up to a
 * budget of lines per second; beyond it they are counted, and one line reports how many were left out. A cluster
 * creating a few broker pods logs every one of them, while a burst (a mass restart, a misconfigured selector, a
 * load test) costs a bounded number of lines instead of one per review. Every answer is counted in
 * {@code activemq_ha_webhook_admissions_total} whether logged or not.
 */
public final class AdmissionLog {
    /** Allowed-answer lines per second unless configured ({@code serve --admission-log-rate}). */
    public static final int DEFAULT_ALLOWED_PER_SECOND = 20;
    private static final long SECOND = 1_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger("io.activemqha.webhook.admission");

    /** Where the lines go: SLF4J in the server, a list in tests. */
    public interface Sink {
        void info(String line);

        void warn(String line);

        /** The webhook's logger. */
        Sink SLF4J = new Sink() {
            @Override
            public void info(String line) {
                LOG.info(line);
            }

            @Override
            public void warn(String line) {
                LOG.warn(line);
            }
        };
    }

    private final int allowedPerSecond;
    private final LongSupplier nanoClock;
    private final Sink sink;
    // Guarded by this: reviews are answered on every event loop.
    private long windowStart;
    private int loggedInWindow;
    private long leftOut;
    private long leftOutSince;

    /**
     * @param allowedPerSecond lines for allowed answers per second; 0 logs none of them (denials and errors still)
     * @param nanoClock        monotonic clock
     * @param sink             where lines go
     */
    public AdmissionLog(int allowedPerSecond, LongSupplier nanoClock, Sink sink) {
        if (allowedPerSecond < 0) {
            throw new IllegalArgumentException("allowed lines per second must be 0 or more, got " + allowedPerSecond);
        }
        this.allowedPerSecond = allowedPerSecond;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.windowStart = nanoClock.getAsLong();
    }

    /** Logs the answer to one review. */
    public void answered(AdmissionResult result, long durationNanos) {
        log(result.outcome(), () -> line(result.uid(), result.namespace(), result.podName(), result.outcome(),
                result.reason(), result.httpStatus(), result.dryRun(), durationNanos));
    }

    /** Logs a request refused before review (e.g. 413). */
    public void refused(int httpStatus, String reason, long durationNanos) {
        log(Outcome.ERROR, () -> line(null, null, null, Outcome.ERROR, reason, httpStatus, false, durationNanos));
    }

    /**
     * Reports the allowed answers left out so far, if any, once their second is over: called periodically so that the
     * count appears even when the burst ends and no further line comes.
     */
    public void reportLeftOut() {
        String report;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            rollWindow(now);
            report = takeReport(now);
        }
        if (report != null) {
            sink.info(report);
        }
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

    /** The line is only built when it is logged: beyond the budget an allowed answer costs a counter increment. */
    private void log(Outcome outcome, Supplier<String> line) {
        if (outcome == Outcome.DENIED || outcome == Outcome.ERROR) {
            sink.warn(line.get());
            return;
        }
        String report;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            rollWindow(now);
            if (loggedInWindow >= allowedPerSecond) {
                if (leftOut++ == 0) {
                    leftOutSince = now;
                }
                return;
            }
            loggedInWindow++;
            report = takeReport(now);
        }
        if (report != null) {
            sink.info(report);
        }
        sink.info(line.get());
    }

    /** Starts a new one-second window once the current one is over (guarded by this). */
    private void rollWindow(long now) {
        if (now - windowStart >= SECOND) {
            windowStart = now;
            loggedInWindow = 0;
        }
    }

    /** The line about the answers left out since the last report, once at least their second is over; else null. */
    private String takeReport(long now) {
        if (leftOut == 0 || now - leftOutSince < SECOND) {
            return null;
        }
        String report = "admission lines left out: " + leftOut + " allowed answers in the last "
                + String.format(Locale.ROOT, "%.1f", (now - leftOutSince) / 1e9) + "s were not logged (at most "
                + allowedPerSecond + " lines per second, --admission-log-rate); activemq_ha_webhook_admissions_total "
                + "counts them all";
        leftOut = 0;
        return report;
    }
}
