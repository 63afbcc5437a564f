package io.activemqha.e2e;

import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Map;

/**
 * A Secret projected into a directory the way the kubelet does it: every key is a symlink {@code KEY -> ..data/KEY},
 * {@code ..data} points at a timestamped directory, and an update writes a new directory and swaps {@code ..data}
 * atomically. A process that reloads its files (the webhook's certificate reloader) sees exactly what it sees in a pod.
 */
public final class SecretVolume {
    private static final String DATA = "..data";

    private final Path directory;
    private int generation;

    public SecretVolume(Path directory) {
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }

    /** Path of key {@code key} in the volume. */
    public Path file(String key) {
        return directory.resolve(key);
    }

    /** Replaces the volume's content with {@code secret}'s data, atomically. */
    public void project(Secret secret) {
        Map<String, String> data = secret.getData();
        if (data == null || data.isEmpty()) {
            throw new IllegalStateException("Secret " + secret.getMetadata().getName() + " holds no data");
        }
        try {
            Files.createDirectories(directory);
            Path version = Files.createDirectory(directory.resolve("..generation-" + (++generation)));
            for (Map.Entry<String, String> entry : data.entrySet()) {
                Files.write(version.resolve(entry.getKey()), Base64.getDecoder().decode(entry.getValue()));
            }
            Path previous = Files.isSymbolicLink(directory.resolve(DATA))
                    ? directory.resolve(Files.readSymbolicLink(directory.resolve(DATA))) : null;
            Path staged = Files.createSymbolicLink(directory.resolve(DATA + "_tmp"), version.getFileName());
            Files.move(staged, directory.resolve(DATA), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String key : data.keySet()) {
                Path link = directory.resolve(key);
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Path.of(DATA, key));
                }
            }
            if (previous != null) {
                Directories.deleteRecursively(previous);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot project Secret into " + directory, e);
        }
    }
}
