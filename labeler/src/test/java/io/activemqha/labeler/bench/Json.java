package io.activemqha.labeler.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Minimal JSON writer for the benchmark's result file (maps, lists, numbers, strings). */
final class Json {
    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, "");
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(indent).append("  \"").append(escape(e.getKey().toString())).append("\": ");
                write(out, e.getValue(), indent + "  ");
                out.append(++i < map.size() ? ",\n" : "\n");
            }
            out.append(indent).append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                write(out, list.get(i), indent);
                if (i + 1 < list.size()) {
                    out.append(", ");
                }
            }
            out.append(']');
        } else if (value instanceof Double d) {
            out.append(String.format(Locale.ROOT, "%.2f", d));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else {
            out.append('"').append(escape(String.valueOf(value))).append('"');
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
