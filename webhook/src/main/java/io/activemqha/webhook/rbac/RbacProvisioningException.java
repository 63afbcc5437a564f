package io.activemqha.webhook.rbac;

/** The API server refused or failed a provisioning call; the message carries its answer for the denial. */
public final class RbacProvisioningException extends RuntimeException {
    public RbacProvisioningException(String message, Throwable cause) {
        super(message, cause);
    }
}
