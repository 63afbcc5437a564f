package io.activemqha.locker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The store's own record of the Lease that guards it: a file {@value #FILE_NAME} in the store's directory, written
 * once by the first master. A Lease belongs to an HA group, but the store belongs to the volume: two groups on one
 * claim would hold two Leases and have two masters. A broker whose Lease is not the recorded one refuses to start.
 */
final class StoreLeaseRecord implements LeaseSession.StoreGuard {
    static final String FILE_NAME = "activemq-ha-lease";

    private final Path directory;

    StoreLeaseRecord(Path directory) {
        this.directory = directory;
    }

    @Override
    public void admit(String leaseName) throws IOException {
        Path record = directory.resolve(FILE_NAME);
        String recorded = read(record);
        if (recorded == null) {
            recorded = create(record, leaseName);
        }
        if (!recorded.equals(leaseName)) {
            throw new LeaseSession.Refusal("the store " + directory + " is guarded by Lease " + recorded + " (recorded in "
                    + record + "), but this broker's Lease is " + leaseName + ": two HA groups must not share one store "
                    + "(give each group its own volume). If the store was handed to this group on purpose and no broker "
                    + "of the other group runs, delete " + record);
        }
    }

    /** Writes the record unless another broker wrote one first (a hard link is created atomically or not at all). */
    private static String create(Path record, String leaseName) throws IOException {
        Files.createDirectories(record.getParent());
        Path draft = Files.createTempFile(record.getParent(), FILE_NAME, ".draft");
        try {
            Files.writeString(draft, leaseName + "\n", StandardCharsets.UTF_8);
            Files.createLink(record, draft);
            return leaseName;
        } catch (FileAlreadyExistsException writtenFirst) {
            String recorded = read(record);
            if (recorded == null) {
                throw new IOException("cannot read " + record + " after another broker wrote it", writtenFirst);
            }
            return recorded;
        } finally {
            Files.deleteIfExists(draft);
        }
    }

    private static String read(Path record) throws IOException {
        return Files.exists(record) ? Files.readString(record, StandardCharsets.UTF_8).strip() : null;
    }
}
