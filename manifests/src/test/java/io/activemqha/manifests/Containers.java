package io.activemqha.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the kubelet makes of a container spec: its literal environment and its arguments with $(VAR) expanded. */
final class Containers {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

    private Containers() {
    }

    /** Every container of the pod, init containers first. */
    static List<Container> all(PodSpec spec) {
        List<Container> containers = new ArrayList<>();
        if (spec.getInitContainers() != null) {
            containers.addAll(spec.getInitContainers());
        }
        containers.addAll(spec.getContainers());
        return containers;
    }

    static Container named(PodSpec spec, String name) {
        return all(spec).stream().filter(c -> name.equals(c.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container named " + name + " in " + all(spec).stream()
                        .map(Container::getName).toList()));
    }

    /** The container's env entries that have a literal value. */
    static Map<String, String> literalEnv(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        if (container.getEnv() != null) {
            for (EnvVar var : container.getEnv()) {
                if (var.getValue() != null) {
                    env.put(var.getName(), var.getValue());
                }
            }
        }
        return env;
    }

    /** The arguments as the process receives them: $(VAR) replaced from the env, $$ an escaped $, unknown kept. */
    static List<String> expandedArgs(Container container) {
        Map<String, String> env = literalEnv(container);
        List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
        return args.stream().map(arg -> expand(arg, env)).toList();
    }

    private static String expand(String arg, Map<String, String> env) {
        Matcher matcher = REFERENCE.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = matcher.group(1) == null ? "\\$"
                    : Matcher.quoteReplacement(env.getOrDefault(matcher.group(1), matcher.group()));
            matcher.appendReplacement(out, replacement);
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
