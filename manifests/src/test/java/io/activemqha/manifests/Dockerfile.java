package io.activemqha.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.ObjectMapper;

/**
 * A Dockerfile read into its stages and instructions (continuation lines joined, comments and parser directives
 * dropped), and the ARGs declared before the first FROM (the only ones a FROM line can use) with their defaults.
 */
record Dockerfile(Path file, Map<String, String> globalArgs, List<Stage> stages) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

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
        Map<String, String> globalArgs = new LinkedHashMap<>();
        List<Stage> stages = new ArrayList<>();
        for (String line : logical) {
            String[] parts = line.split("\\s+", 2);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                String name = from.length >= 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null;
                stages.add(new Stage(from[0], name, new ArrayList<>()));
            } else if (stages.isEmpty() && instruction.keyword().equals("ARG")) {
                String[] arg = instruction.arguments().split("=", 2);
                globalArgs.put(arg[0].strip(), arg.length > 1 ? arg[1].strip() : null);
            } else if (stages.isEmpty()) {
                throw new AssertionError(file + ": " + instruction.keyword() + " before the first FROM");
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return new Dockerfile(file, globalArgs, List.copyOf(stages));
    }

    /** {@code text} with global ARGs ({@code ${NAME}}, {@code $NAME}) replaced by their defaults (no --build-arg). */
    String withDefaults(String text) {
        Matcher variable = VARIABLE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1) != null ? variable.group(1) : variable.group(2);
            String value = globalArgs.get(name);
            if (value == null) {
                throw new AssertionError(file + ": " + text + " uses " + name + ", which has no global ARG default");
            }
            variable.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        return variable.appendTail(result).toString();
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
