package io.activemqha.certs.kube;

/**
 * The outcome of writing a caBundle into one webhook configuration.
 *
 * @param kind     mutating or validating
 * @param name     the configuration
 * @param webhooks how many webhooks it has
 * @param changed  how many of them got the new caBundle (0: nothing was written)
 */
public record PatchResult(WebhookKind kind, String name, int webhooks, int changed) {
    /** One line for the user. */
    public String describe() {
        String what = kind.resource() + "/" + name;
        return changed == 0
                ? what + ": caBundle already current in all " + webhooks + " webhook(s); nothing written"
                : what + ": caBundle updated in " + changed + " of " + webhooks + " webhook(s)";
    }
}
