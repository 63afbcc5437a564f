package io.activemqha.manifests;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Compiles and evaluates the CEL expressions of admission policies and webhook matchConditions against JSON objects,
 * with the variables the API server declares ({@code object}, {@code oldObject}, {@code request},
 * {@code variables}). The objects are dynamically typed here (the API server types them from the OpenAPI schema), so
 * this checks syntax, the standard library use and the behaviour on concrete requests; schema-typed compilation
 * is the end-to-end tests' part.
 */
final class CelEvaluator {
    private final CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("object", SimpleType.DYN)
            .addVar("oldObject", SimpleType.DYN)
            .addVar("request", SimpleType.DYN)
            .addVar("params", SimpleType.DYN)
            .addVar("variables", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    private final CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    /** Compiles {@code expression}; fails with the compiler's message. */
    CelAbstractSyntaxTree compile(String expression) {
        try {
            return compiler.compile(expression).getAst();
        } catch (CelValidationException e) {
            throw new AssertionError("CEL does not compile: " + expression + "\n" + e.getMessage(), e);
        }
    }

    /** Evaluates {@code expression} with {@code bindings} (values as produced by {@link #value(JsonNode)}). */
    Object evaluate(String expression, Map<String, ?> bindings) throws CelEvaluationException {
        return runtime.createProgram(compile(expression)).eval(bindings);
    }

    /** A JSON value as CEL sees it: objects as maps, arrays as lists, integers as int (64 bit); nulls are dropped. */
    static Object value(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (!field.getValue().isNull()) {
                    map.put(field.getKey(), value(field.getValue()));
                }
            }
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(value(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asString();
    }
}
