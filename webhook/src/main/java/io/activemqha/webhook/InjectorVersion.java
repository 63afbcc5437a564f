package io.activemqha.webhook;

/** The injector's version, as recorded in the {@code activemq-ha/injected} annotation. */
public final class InjectorVersion {
    private InjectorVersion() {
    }

    /** The jar manifest's Implementation-Version, or {@code dev} when running from classes. */
    public static String current() {
        String version = InjectorVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
