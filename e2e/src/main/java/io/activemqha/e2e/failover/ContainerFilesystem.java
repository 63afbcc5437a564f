package io.activemqha.e2e.failover;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's volume mounts as the process kubelet realises them without a mount namespace: each mount path maps
 * to a directory (or, for a {@code subPath} mount, a file) on this machine. Paths a container's configuration names
 * are translated through this table, longest mount path first, exactly as the mounts would shadow them.
 *
 * @param mounts mount path in the container to the path on this machine
 */
public record ContainerFilesystem(Map<String, Path> mounts) {
    public ContainerFilesystem {
        mounts = Map.copyOf(mounts);
    }

    /** Where {@code containerPath} lives on this machine. */
    public Path resolve(String containerPath) {
        for (String mount : longestFirst()) {
            if (containerPath.equals(mount)) {
                return mounts.get(mount);
            }
            if (containerPath.startsWith(mount + "/")) {
                return mounts.get(mount).resolve(containerPath.substring(mount.length() + 1));
            }
        }
        throw new IllegalArgumentException(containerPath + " is on no volume of the container (mounts: "
                + mounts.keySet() + ")");
    }

    /** {@code text} with every mounted path replaced by its location on this machine. */
    public String translate(String text) {
        String translated = text;
        for (String mount : longestFirst()) {
            translated = translated.replace(mount, mounts.get(mount).toString());
        }
        return translated;
    }

    /** The table as command-line arguments {@code containerPath=hostPath}, read back by {@link #parse}. */
    public List<String> toArguments() {
        List<String> arguments = new ArrayList<>();
        mounts.forEach((mount, host) -> arguments.add(mount + "=" + host));
        return arguments;
    }

    public static ContainerFilesystem parse(List<String> arguments) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("expected containerPath=hostPath, got '" + argument + "'");
            }
            mounts.put(argument.substring(0, equals), Path.of(argument.substring(equals + 1)));
        }
        return new ContainerFilesystem(mounts);
    }

    private List<String> longestFirst() {
        return mounts.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }
}
