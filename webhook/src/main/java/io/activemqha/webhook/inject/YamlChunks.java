package io.activemqha.webhook.inject;

import java.util.ArrayList;
import java.util.List;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentEndEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Cuts a multi-document YAML stream into the exact text of each document, where the YAML parser itself puts the
 * boundaries (its document start and end events), so that untouched documents can be written back byte for byte and
 * a re-written one keeps its markers, directives and the comments around it. Cutting by looking at lines instead
 * disagreed with the parser on document-end markers ({@code ...}) and content on a {@code ---} line, and then a
 * re-written document swallowed its neighbour.
 */
final class YamlChunks {
    private YamlChunks() {
    }

    /**
     * One document's text: everything from the end of the previous document (comments, directives, its
     * {@code ---} line) up to and including its own end ({@code ...} when it has one).
     *
     * @param text         the exact text
     * @param textLine     1-based line of the text's first character in the stream
     * @param line         1-based line where the document starts (its {@code ---} or first directive or content)
     * @param contentStart offset in {@code text} where the root node starts (its tag or anchor included)
     * @param contentEnd   offset in {@code text} just after the root node's last character (before trailing comments)
     * @param mapping      whether the root node is a mapping, the only kind {@code inject} re-writes
     */
    record Chunk(String text, int textLine, int line, int contentStart, int contentEnd, boolean mapping) {
        /**
         * This document with its root node replaced by {@code blockYaml} (a block node ending in a newline): the text
         * before the root (markers, directives, comments) and after it (trailing comments, {@code ...}) is kept; a
         * root that started on its {@code ---} line (e.g. {@code --- {a: 1}}) moves to the next line, since a block
         * node cannot start there.
         */
        String withRoot(String blockYaml) {
            String before = text.substring(0, contentStart);
            int lineStart = before.lastIndexOf('\n') + 1;
            before = before.substring(lineStart).isBlank() ? before.substring(0, lineStart) : before.stripTrailing() + "\n";
            String after = text.substring(contentEnd);
            int newline = after.indexOf('\n');
            if (newline >= 0 && after.substring(0, newline).isBlank()) {
                after = after.substring(newline + 1);
            }
            return before + blockYaml + after;
        }
    }

    /**
     * The documents of {@code stream} as {@code yaml} parses it; their texts concatenate to exactly {@code stream}
     * (text after the last document, e.g. comments after a final {@code ...}, is a chunk with no root node).
     *
     * @throws org.yaml.snakeyaml.error.YAMLException when the stream is not well-formed YAML
     */
    static List<Chunk> split(String stream, Yaml11 yaml) {
        Offsets offsets = new Offsets(stream);
        List<Chunk> chunks = new ArrayList<>();
        int chunkStart = 0;
        int chunkLine = 1;
        int line = 1;
        int depth = 0;
        int contentStart = -1;
        int contentEnd = -1;
        boolean mapping = false;
        for (Event event : yaml.parse(stream)) {
            int start = offsets.of(event.getStartMark());
            int end = offsets.of(event.getEndMark());
            if (event instanceof DocumentStartEvent) {
                line = event.getStartMark().getLine() + 1;
                contentStart = -1;
                contentEnd = -1;
                mapping = false;
            } else if (event instanceof DocumentEndEvent) {
                chunks.add(new Chunk(stream.substring(chunkStart, end), chunkLine, line,
                        contentStart - chunkStart, contentEnd - chunkStart, mapping));
                chunkStart = end;
                chunkLine = event.getEndMark().getLine() + 1;
            } else if (event instanceof NodeEvent) {
                if (depth == 0) {
                    contentStart = start;
                    mapping = event instanceof MappingStartEvent;
                }
                if (event instanceof CollectionStartEvent) {
                    depth++;
                } else if (event instanceof ScalarEvent || event instanceof AliasEvent) {
                    contentEnd = Math.max(contentEnd, end);
                }
            } else if (event instanceof CollectionEndEvent) {
                depth--;
                // A block collection ends where the next token starts (after any comments): only a flow
                // collection's closing bracket (width 1) is content.
                if (end > start) {
                    contentEnd = Math.max(contentEnd, end);
                }
            }
        }
        if (chunkStart < stream.length()) {
            chunks.add(new Chunk(stream.substring(chunkStart), chunkLine, chunkLine, -1, -1, false));
        }
        return chunks;
    }

    /** 1-based line of code point {@code index} of {@code stream}, counting line breaks as YAML does. */
    static int lineAt(String stream, int index) {
        int to = new Offsets(stream).of(index);
        int line = 1;
        for (int i = 0; i < to; i++) {
            char c = stream.charAt(i);
            if (c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029'
                    || c == '\r' && (i + 1 >= stream.length() || stream.charAt(i + 1) != '\n')) {
                line++;
            }
        }
        return line;
    }

    /** The parser counts code points; a Java string counts UTF-16 chars (they differ past U+FFFF). */
    private static final class Offsets {
        private final int length;
        /** The char offset of each code point (and of the end), or {@code null} when they are the same. */
        private final int[] charOffsets;

        Offsets(String stream) {
            int codePoints = stream.codePointCount(0, stream.length());
            this.length = codePoints;
            if (codePoints == stream.length()) {
                this.charOffsets = null;
                return;
            }
            this.charOffsets = new int[codePoints + 1];
            int at = 0;
            for (int i = 0; i < codePoints; i++) {
                charOffsets[i] = at;
                at += Character.charCount(stream.codePointAt(at));
            }
            charOffsets[codePoints] = at;
        }

        int of(Mark mark) {
            return of(mark.getIndex());
        }

        int of(int codePointIndex) {
            int index = Math.min(codePointIndex, length);
            return charOffsets == null ? index : charOffsets[index];
        }
    }
}
