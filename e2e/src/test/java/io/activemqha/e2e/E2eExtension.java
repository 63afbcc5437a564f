package io.activemqha.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the one {@link ControlPlane} of a test run, and the one {@link ActiveMqHa} installation on it, to test
 * constructors and methods. Each starts on first use and lives in the root context, which closes it (stopping every
 * process) when the run ends, whatever the outcome; the installation closes first.
 */
public final class E2eExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(E2eExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == ControlPlane.class || type == ActiveMqHa.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ControlPlane plane = controlPlane(context);
        if (parameter.getParameter().getType() == ControlPlane.class) {
            return plane;
        }
        ActiveMqHa installation = store(context).getOrComputeIfAbsent(ActiveMqHa.class,
                type -> ActiveMqHa.install(plane, ProductJars.in(E2eSettings.projectRoot()), E2eSettings.projectRoot(),
                        E2eSettings.logDirectory()),
                ActiveMqHa.class);
        // A previous test class may have stopped the webhook or re-applied deploy/install over the local route.
        installation.routeToLocalWebhook();
        installation.startWebhook();
        return installation;
    }

    private static ControlPlane controlPlane(ExtensionContext context) {
        return store(context).getOrComputeIfAbsent(ControlPlane.class,
                type -> ControlPlane.start(ControlPlaneBinaries.locate(), E2eSettings.logDirectory()), ControlPlane.class);
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE);
    }
}
