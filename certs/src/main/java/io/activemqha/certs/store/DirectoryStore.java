package io.activemqha.certs.store;

import io.activemqha.certs.CertsException;
import io.activemqha.certs.IoErrors;
import io.activemqha.certs.StoredMaterial;
import io.activemqha.common.CertificateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * PEM files in one directory: {@code ca.crt}, {@code tls.crt}, {@code tls.key}, {@code ca.key}. Each file is
 * replaced atomically (a temporary file in the same directory, then a rename), so a reader sees the old or the new
 * content, never a torn one; keys are readable by the owner only.
 *
 * @param directory the directory (created on the first write)
 */
public record DirectoryStore(Path directory) implements MaterialStore {
    /** Write order: the CA key before the bundle, the bundle before the leaf, the leaf's key before the leaf. */
    private static final List<String> FILES = List.of(
            CertificateFiles.CA_KEY, CertificateFiles.CA_CRT, CertificateFiles.TLS_KEY, CertificateFiles.TLS_CRT);
    private static final Set<String> SECRET_FILES = Set.of(CertificateFiles.CA_KEY, CertificateFiles.TLS_KEY);

    @Override
    public String describe() {
        return "directory " + directory;
    }

    @Override
    public StoreSnapshot load() {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new CertsException(directory + " is not a directory");
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (String name : FILES) {
            Path file = directory.resolve(name);
            try {
                texts.put(name, Files.readString(file, StandardCharsets.UTF_8));
            } catch (NoSuchFileException e) {
                // absent: nothing stored under this name yet
            } catch (IOException e) {
                throw new CertsException("cannot read " + file + ": " + reason(e), e);
            }
        }
        return new StoreSnapshot(new StoredMaterial(texts), Map.of());
    }

    @Override
    public List<String> save(StoreSnapshot previous, StoredMaterial next) {
        List<String> written = new ArrayList<>();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new CertsException("cannot create directory " + directory + ": " + reason(e), e);
        }
        for (String name : FILES) {
            String text = next.texts().get(name);
            if (text == null || Objects.equals(text, previous.material().texts().get(name))) {
                continue;
            }
            writeAtomically(directory.resolve(name), text, SECRET_FILES.contains(name));
            written.add(directory.resolve(name).toString());
        }
        return written;
    }

    private void writeAtomically(Path file, String text, boolean secret) {
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp", permissions(secret));
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new CertsException("cannot replace " + file + " atomically on this file system", e);
            }
        } catch (IOException e) {
            throw new CertsException("cannot write " + file + ": " + reason(e), e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    private FileAttribute<?>[] permissions(boolean secret) {
        if (!directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        Set<PosixFilePermission> permissions = PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--");
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary != null) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // a leftover hidden temporary file is harmless and reported by nothing else
            }
        }
    }

    private static String reason(IOException e) {
        return IoErrors.describe(e);
    }
}
