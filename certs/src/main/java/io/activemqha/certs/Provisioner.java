package io.activemqha.certs;

import io.activemqha.certs.store.MaterialStore;
import io.activemqha.certs.store.StoreSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code create} operation: reads the primary store, plans, issues what the plan calls for, validates the
 * result and writes it only when something changed; an optional copy store (e.g. {@code --out} next to
 * {@code --secret}) receives the same texts, again only where they differ.
 *
 * @param primary the store whose material is planned against
 * @param copy    a store that mirrors the primary, if any
 */
public record Provisioner(MaterialStore primary, Optional<MaterialStore> copy) {
    /**
     * The outcome of one run.
     *
     * @param plan     what was decided
     * @param material the material now in force
     * @param written  what was written, one line per object; empty when nothing was
     */
    public record Outcome(Plan plan, CertificateMaterial material, List<String> written) {
    }

    /**
     * Runs {@code create} at {@code now}.
     *
     * @throws CertsException when a store cannot be read or written, or the result fails validation (then nothing
     *                        was written)
     */
    public Outcome run(CertificateRequest request, RenewalPolicy policy, Instant now) {
        StoreSnapshot snapshot = primary.load();
        // Read the copy first too: an unreadable copy must stop the run before anything is written.
        Optional<StoreSnapshot> copySnapshot = copy.map(MaterialStore::load);
        ExistingMaterial existing = MaterialCodec.decode(snapshot.material(), primary.describe());
        Plan plan = RenewalPlanner.plan(existing, request, policy, now);
        CertificateMaterial material = plan.keepsEverything()
                ? new CertificateMaterial(existing.caBundle(), existing.signer().orElseThrow(),
                        existing.serving().orElseThrow())
                : MaterialIssuer.apply(plan, existing, request, policy, now);
        MaterialValidator.requireValid(material, request, now);
        // Kept material is copied as stored, byte for byte; new material as freshly encoded.
        StoredMaterial texts = plan.keepsEverything() ? snapshot.material() : material.toStored();
        List<String> written = new ArrayList<>();
        if (!plan.keepsEverything()) {
            written.addAll(primary.save(snapshot, texts));
        }
        if (copy.isPresent()) {
            written.addAll(copy.get().save(copySnapshot.orElseThrow(), texts));
        }
        return new Outcome(plan, material, written);
    }
}
