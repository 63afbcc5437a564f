package io.activemqha.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
    /** System property naming the file into which the Maven e2e profile's run of control-plane.sh wrote the directory. */
    public static final String DIRECTORY_FILE_PROPERTY = "activemq.ha.control.plane.file";

    /**
     * The binaries in {@link #directory()}.
     *
     * @throws IllegalStateException naming what is missing and how to build it
     */
    public static ControlPlaneBinaries locate() {
        return in(directory().orElseThrow(() -> new IllegalStateException("no control-plane binaries: run the e2e tests "
                + "through Maven's e2e profile (mvn -B verify -Pe2e, or ./test.sh), which builds or finds them, or set "
                + DIRECTORY_ENV + " to the directory printed by e2e/control-plane.sh")));
    }

    /**
     * The control plane's directory: {@link #DIRECTORY_PROPERTY}, else {@link #DIRECTORY_ENV}, else the directory named
     * in the file of {@link #DIRECTORY_FILE_PROPERTY}.
     */
    public static Optional<Path> directory() {
        String directory = System.getProperty(DIRECTORY_PROPERTY, "");
        if (directory.isBlank() || directory.startsWith("${")) {
            directory = System.getenv().getOrDefault(DIRECTORY_ENV, "");
        }
        if (!directory.isBlank()) {
            return Optional.of(Path.of(directory));
        }
        Path file = Path.of(System.getProperty(DIRECTORY_FILE_PROPERTY, "none"));
        try {
            return Files.isRegularFile(file) ? Optional.of(Path.of(Files.readString(file).strip())) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
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
