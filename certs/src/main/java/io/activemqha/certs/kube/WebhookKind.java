package io.activemqha.certs.kube;

/** The two admission webhook configuration kinds whose webhooks carry a caBundle. */
public enum WebhookKind {
    MUTATING("mutatingwebhookconfiguration"),
    VALIDATING("validatingwebhookconfiguration");

    private final String resource;

    WebhookKind(String resource) {
        this.resource = resource;
    }

    /** The resource name as kubectl prints it, for messages. */
    public String resource() {
        return resource;
    }
}
