package io.activemqha.certs.store;

import io.activemqha.certs.StoredMaterial;
import java.util.Map;

/**
 * What a {@link MaterialStore} held when it was read: the texts, and for stores with optimistic locking the version
 * of each object read, so that a write based on this snapshot fails instead of overwriting a concurrent change.
 *
 * @param material the texts
 * @param versions opaque version by object name (Kubernetes resourceVersion); an object read as absent has none
 */
public record StoreSnapshot(StoredMaterial material, Map<String, String> versions) {
    /** Copies the versions. */
    public StoreSnapshot {
        versions = Map.copyOf(versions);
    }
}
