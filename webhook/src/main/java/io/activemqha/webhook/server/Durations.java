package io.activemqha.webhook.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** The duration syntax of the webhook's flags: {@code 250ms}, {@code 5s}, {@code 10m}, {@code 1h}. */
public final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    /** @throws CommandLine.TypeConversionException saying what is expected */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException(
                    "expected a duration like 250ms, 5s, 10m or 1h, got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The shortest exact rendering in the same syntax, for logs. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        for (long[] unit : new long[][] {{3_600_000, 'h'}, {60_000, 'm'}, {1000, 's'}}) {
            if (ms > 0 && ms % unit[0] == 0) {
                return ms / unit[0] + String.valueOf((char) unit[1]);
            }
        }
        return ms + "ms";
    }
}
