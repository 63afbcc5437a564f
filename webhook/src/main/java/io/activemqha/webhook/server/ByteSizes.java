package io.activemqha.webhook.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** The size syntax of {@code --max-body-size}: bytes, or binary units as Kubernetes writes them ({@code 512Ki}, {@code 3Mi}). */
public final class ByteSizes implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})(Ki|Mi|Gi)?");

    @Override
    public Long convert(String text) {
        return parse(text);
    }

    /** @throws CommandLine.TypeConversionException saying what is expected */
    public static long parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException(
                    "expected a size in bytes, optionally with Ki, Mi or Gi (e.g. 1048576, 512Ki, 3Mi), got '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "Ki" -> 10;
            case "Mi" -> 20;
            default -> 30;
        };
        return amount << shift;
    }
}
