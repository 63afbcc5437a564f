package io.activemqha.manifests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's deploy tree and modules are, as the build passes them (system property set in the pom). */
record RepoPaths(Path root) {
    private static final String PROPERTY = "activemqha.repo.root";

    static RepoPaths fromBuild() {
        String configured = System.getProperty(PROPERTY);
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        Path normalized = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(normalized.resolve("deploy"))) {
            throw new IllegalStateException("no deploy/ directory under " + normalized
                    + " (set -D" + PROPERTY + " to the repository root)");
        }
        return new RepoPaths(normalized);
    }

    Path deploy() {
        return root.resolve("deploy");
    }

    Path install() {
        return deploy().resolve("install");
    }

    Path example() {
        return deploy().resolve("examples/activemq-nfs");
    }

    /** The same example with the lease locker. */
    Path leaseExample() {
        return deploy().resolve("examples/activemq-lease");
    }

    Path module(String name) {
        return root.resolve(name);
    }
}
