package io.activemqha.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The control-plane executables built by {@code e2e/control-plane.sh}.
 *
 * @param etcd                  the etcd server
 * @param kubeApiserver         kube-apiserver
 * @param kubeControllerManager kube-controller-manager
 */
public record ControlPlaneBinaries(Path etcd, Path kubeApiserver, Path kubeControllerManager) {
    /** System property (set by the e2e Maven build) naming the directory; the environment variable is the fallback. */
    public static final String DIRECTORY_PROPERTY = "activemq.ha.control.plane";
    /** Environment variable naming the directory: what {@code e2e/control-plane.sh} printed as its last line. */
    public static final String DIRECTORY_ENV = "ACTIVEMQ_HA_CONTROL_PLANE";

    /**
     * The binaries in the directory named by {@link #DIRECTORY_PROPERTY} or {@link #DIRECTORY_ENV}.
     *
     * @throws IllegalStateException naming what is missing and how to build it
     */
    public static ControlPlaneBinaries locate() {
        String directory = System.getProperty(DIRECTORY_PROPERTY, "");
        if (directory.isBlank() || directory.startsWith("${")) {
            directory = System.getenv().getOrDefault(DIRECTORY_ENV, "");
        }
        if (directory.isBlank()) {
            throw new IllegalStateException("no control-plane binaries: set " + DIRECTORY_ENV
                    + " (or -D" + DIRECTORY_PROPERTY + ") to the directory printed by e2e/control-plane.sh, e.g. "
                    + DIRECTORY_ENV + "=$(e2e/control-plane.sh | tail -n1) mvn -B verify -Pe2e");
        }
        return in(Path.of(directory));
    }

    /** The binaries in {@code directory}, each required to be an executable file. */
    public static ControlPlaneBinaries in(Path directory) {
        ControlPlaneBinaries binaries = new ControlPlaneBinaries(directory.resolve("etcd"),
                directory.resolve("kube-apiserver"), directory.resolve("kube-controller-manager"));
        List<String> missing = new ArrayList<>();
        for (Path binary : List.of(binaries.etcd, binaries.kubeApiserver, binaries.kubeControllerManager)) {
            if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
                missing.add(binary.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("control-plane binaries missing or not executable: " + missing
                    + " (build them with e2e/control-plane.sh)");
        }
        return binaries;
    }
}
