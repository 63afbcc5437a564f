package io.activemqha.webhook.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Cuts a multi-document YAML stream into the exact text of each document, so untouched documents can be written back
 * byte for byte. A document starts at a {@code ---} line and ends before the next one or after a {@code ...} line;
 * these markers count only at column 0, as in YAML itself, so block scalars cannot be cut.
 */
final class YamlChunks {
    private static final Pattern START = Pattern.compile("---([ \\t].*)?\\r?\\n?");
    private static final Pattern END = Pattern.compile("\\.\\.\\.([ \\t].*)?\\r?\\n?");

    /**
     * One document's text, including its {@code ---} line if it has one.
     *
     * @param text      the exact text
     * @param firstLine 1-based line number of its first line in the stream
     */
    record Chunk(String text, int firstLine) {
        /** The {@code ---} line this document starts with, or empty. */
        String startMarker() {
            String first = text.lines().findFirst().orElse("");
            return START.matcher(first).matches() ? first : "";
        }
    }

    private YamlChunks() {
    }

    /** The documents of {@code stream}; their texts concatenate to exactly {@code stream}. */
    static List<Chunk> split(String stream) {
        List<Chunk> chunks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int currentStart = 1;
        int from = 0;
        while (from < stream.length()) {
            int newline = stream.indexOf('\n', from);
            int to = newline < 0 ? stream.length() : newline + 1;
            String text = stream.substring(from, to);
            if (START.matcher(text).matches() && current.length() > 0) {
                chunks.add(new Chunk(current.toString(), currentStart));
                current.setLength(0);
                currentStart = line;
            }
            current.append(text);
            if (END.matcher(text).matches()) {
                chunks.add(new Chunk(current.toString(), currentStart));
                current.setLength(0);
                currentStart = line + 1;
            }
            line++;
            from = to;
        }
        if (current.length() > 0) {
            chunks.add(new Chunk(current.toString(), currentStart));
        }
        return chunks;
    }
}
