package io.activemqha.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Supplies the one {@link ControlPlane} of a test run to test constructors and methods. It starts on first use and is
 * stored in the root context, which closes it (stopping every process) when the run ends, whatever the outcome.
 */
public final class ControlPlaneExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ControlPlaneExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(ControlPlane.class,
                type -> ControlPlane.start(ControlPlaneBinaries.locate(), E2eSettings.logDirectory()),
                ControlPlane.class);
    }
}
