package io.activemqha.certs.store;

import io.activemqha.certs.StoredMaterial;
import java.util.List;

/** Where certificate material lives between runs: a directory or Kubernetes Secrets. */
public interface MaterialStore {
    /** The store, for messages: {@code directory /x} or {@code secret ns/name}. */
    String describe();

    /**
     * Reads what is stored; missing entries are simply absent.
     *
     * @throws io.activemqha.certs.CertsException when the store cannot be read or holds something it must not touch
     */
    StoreSnapshot load();

    /**
     * Writes the entries of {@code next} that differ from {@code previous}; writes nothing when none differ.
     *
     * @return what was written, one line per object, empty when nothing was
     * @throws io.activemqha.certs.CertsException when a write fails or the store changed since {@code previous}
     */
    List<String> save(StoreSnapshot previous, StoredMaterial next);
}
