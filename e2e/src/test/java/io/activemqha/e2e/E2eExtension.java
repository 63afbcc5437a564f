package io.activemqha.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the one {@link ControlPlane} of a test run, and the one {@link ActiveMqHa} installation on it, to test
 * constructors and methods. Each starts on first use and lives in the root context, which closes it (stopping every
 * process) when the run ends, whatever the outcome; the installation closes first. A fixture that failed to start
 * is not started again: every test that needs it fails with the original cause.
 */
public final class E2eExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(E2eExtension.class);
    private static final String CONTROL_PLANE = "control-plane";
    private static final String ACTIVEMQ_HA = "activemq-ha";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == ControlPlane.class || type == ActiveMqHa.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ControlPlane plane = shared(context, CONTROL_PLANE,
                () -> ControlPlane.start(ControlPlaneBinaries.locate(), E2eSettings.logDirectory()));
        if (parameter.getParameter().getType() == ControlPlane.class) {
            return plane;
        }
        ActiveMqHa installation = shared(context, ACTIVEMQ_HA, () -> ActiveMqHa.install(plane,
                ProductJars.in(E2eSettings.projectRoot()), E2eSettings.projectRoot(), E2eSettings.logDirectory()));
        // A previous test may have stopped the webhook or re-applied deploy/install over the local route.
        installation.routeToLocalWebhook();
        installation.startWebhook();
        return installation;
    }

    @SuppressWarnings("unchecked")
    private static <T extends AutoCloseable> T shared(ExtensionContext context, String key, java.util.function.Supplier<T> start) {
        return ((Attempt<T>) context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(key, k -> Attempt.of(start), Attempt.class)).get();
    }
}
