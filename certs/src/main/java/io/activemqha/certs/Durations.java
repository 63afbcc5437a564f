package io.activemqha.certs;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLI's duration syntax: a sum of amounts with units {@code y} (365 days), {@code d}, {@code h}, {@code m},
 * {@code s} such as {@code 10y}, {@code 90d} or {@code 1d12h}, or an ISO-8601 duration such as {@code P30D}.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})([ydhms])");
    private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}[ydhms])+");

    private Durations() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them
     */
    public static Duration parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (WHOLE.matcher(value).matches()) {
            Duration total = Duration.ZERO;
            Matcher part = PART.matcher(value);
            while (part.find()) {
                long amount = Long.parseLong(part.group(1));
                total = total.plus(switch (part.group(2)) {
                    case "y" -> Duration.ofDays(365 * amount);
                    case "d" -> Duration.ofDays(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofSeconds(amount);
                });
            }
            return total;
        }
        if (value.startsWith("p")) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration: use amounts with units y, d, h, m, s"
                + " (e.g. 10y, 90d, 1d12h) or ISO-8601 (e.g. P30D)");
    }

    /** {@code duration} in the CLI syntax, largest units first, e.g. {@code 365d} or {@code 1d12h}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.isNegative()) {
            return "-" + format(duration.negated());
        }
        StringBuilder text = new StringBuilder();
        append(text, duration.toDays(), "d");
        append(text, duration.toHoursPart(), "h");
        append(text, duration.toMinutesPart(), "m");
        append(text, duration.toSecondsPart(), "s");
        return text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount != 0) {
            text.append(amount).append(unit);
        }
    }
}
