package io.activemqha.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.ObjectMapper;

/** A Dockerfile read into its stages and instructions (continuation lines joined, comments and parser directives dropped). */
record Dockerfile(Path file, List<Stage> stages) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Dockerfile read(Path file) {
        List<String> logical = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                current.append(trimmed);
                logical.add(current.toString().strip());
                current.setLength(0);
            }
        }
        List<Stage> stages = new ArrayList<>();
        for (String line : logical) {
            String[] parts = line.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                String name = from.length >= 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null;
                stages.add(new Stage(from[0], name, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                throw new AssertionError(file + ": " + instruction.keyword() + " before the first FROM");
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return new Dockerfile(file, List.copyOf(stages));
    }

    Stage last() {
        return stages.get(stages.size() - 1);
    }

    /** One {@code FROM} and what follows it. */
    record Stage(String baseImage, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Instruction only(String keyword) {
            List<Instruction> found = all(keyword);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + keyword + " in the stage FROM " + baseImage + ", found " + found.size());
            }
            return found.get(0);
        }
    }

    /** One instruction: its keyword and the rest of the line. */
    record Instruction(String keyword, String arguments) {
        /** The exec-form (JSON array) arguments; fails for the shell form, whose signals do not reach java. */
        List<String> execForm() {
            if (!arguments.startsWith("[")) {
                throw new AssertionError(keyword + " must use the exec form (a JSON array) so that java is PID 1 and gets "
                        + "SIGTERM: " + arguments);
            }
            return List.of(JSON.readValue(arguments, String[].class));
        }
    }
}
