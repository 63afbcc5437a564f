package io.activemqha.cli.doctor;

import io.activemqha.common.InstallNames;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The webhook entry as deploy/install/mutating-webhook.yaml ships it: the build packages that manifest into the jar,
 * so doctor compares against the manifest itself rather than a copy of its values.
 */
public final class ShippedWebhook {
    static final String RESOURCE = "shipped/mutating-webhook.yaml";

    private ShippedWebhook() {
    }

    /** The shipped entry {@link InstallNames#WEBHOOK_ENTRY}. */
    public static MutatingWebhook entry() {
        try (InputStream in = ShippedWebhook.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not packaged next to " + ShippedWebhook.class.getName());
            }
            MutatingWebhookConfiguration configuration = Serialization.unmarshal(in, MutatingWebhookConfiguration.class);
            return configuration.getWebhooks().stream()
                    .filter(w -> InstallNames.WEBHOOK_ENTRY.equals(w.getName()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(RESOURCE + " has no webhook " + InstallNames.WEBHOOK_ENTRY));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
