package io.activemqha.e2e.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Draws {@code failover-timings.json} as an SVG timeline: one row per failover and a median row, each split into
 * the phases between the kill and the first client success (lock takeover, labeling, endpoints, client).
 * {@code java -cp ... FailoverChart <timings.json> <chart.svg>}; RealNodeIT writes it after its run.
 */
public final class FailoverChart {
    private static final String[] KEYS = {"standby_active_ms", "labeled_ms", "endpoints_ms", "client_ok_ms"};
    private static final String[] PHASES = {"kill → standby broker accepts (lock wait + locker keep-alive + start)",
            "→ pod labeled leader=yes (labeler probe + patch)", "→ EndpointSlice holds only it (controller)",
            "→ first client send + receipt through the Service"};
    private static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759"};
    private static final int LEFT = 110;
    private static final int WIDTH = 900;
    private static final int ROW = 26;

    private FailoverChart() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: FailoverChart <failover-timings.json> <chart.svg>");
            System.exit(2);
        }
        Files.writeString(Path.of(args[1]), render(Files.readString(Path.of(args[0]))));
    }

    /** The SVG for the timings file's text. */
    public static String render(String timingsJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(timingsJson);
        List<long[]> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int index = 1;
        for (JsonNode failover : root.get("failovers")) {
            long[] row = new long[KEYS.length];
            for (int i = 0; i < KEYS.length; i++) {
                row[i] = failover.get(KEYS[i]).asLong();
            }
            rows.add(row);
            labels.add("failover " + index++);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the timings file holds no failover");
        }
        long[] median = new long[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            final int key = i;
            long[] values = rows.stream().mapToLong(r -> r[key]).sorted().toArray();
            median[i] = values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        }
        rows.add(median);
        labels.add("median");
        long max = rows.stream().mapToLong(r -> Arrays.stream(r).max().orElse(0)).max().orElse(1);
        long scaleMax = ((max / 1000) + 1) * 1000;
        double perMs = (double) (WIDTH - LEFT - 30) / scaleMax;
        int top = 50;
        int height = top + rows.size() * ROW + 30 + PHASES.length * 18;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">"
                + "SIGKILL of the active broker → client served by the new master (ms after the kill); lost: %d, "
                + "duplicates: %d</text>%n", 10, root.path("lost_messages").asLong(), root.path("duplicates").asLong()));
        for (long tick = 0; tick <= scaleMax; tick += 1000) {
            double x = LEFT + tick * perMs;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%d</text>%n",
                    x, top - 8, x, top + rows.size() * ROW, x, top - 12, tick));
        }
        for (int r = 0; r < rows.size(); r++) {
            long[] row = rows.get(r);
            int y = top + r * ROW;
            boolean isMedian = r == rows.size() - 1;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\"%s>%s</text>%n", 10, y + 16,
                    isMedian ? " font-weight=\"bold\"" : "", labels.get(r)));
            long start = 0;
            for (int p = 0; p < KEYS.length; p++) {
                double x = LEFT + start * perMs;
                double w = Math.max(1, (row[p] - start) * perMs);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\" "
                        + "fill=\"%s\"><title>%s: %d ms</title></rect>%n", x, y + 4, w, COLOURS[p], KEYS[p], row[p]));
                start = row[p];
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#333\">%d ms</text>%n",
                    LEFT + row[KEYS.length - 1] * perMs + 4, y + 17, row[KEYS.length - 1]));
        }
        int legend = top + rows.size() * ROW + 30;
        for (int p = 0; p < PHASES.length; p++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s (median %s = %d ms)</text>%n", LEFT, legend + p * 18 - 10,
                    COLOURS[p], LEFT + 18, legend + p * 18, PHASES[p], KEYS[p], median[p]));
        }
        return svg.append("</svg>\n").toString();
    }
}
