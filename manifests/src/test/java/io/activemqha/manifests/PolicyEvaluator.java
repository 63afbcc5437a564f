package io.activemqha.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.runtime.CelEvaluationException;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Runs a ValidatingAdmissionPolicy's CEL the way the API server does for one request: matchConditions decide whether
 * it applies, variables are computed in order, every failing validation denies with its messageExpression (or its
 * message when that fails), and an evaluation error counts as a denial under {@code failurePolicy: Fail}.
 */
final class PolicyEvaluator {
    private final ValidatingAdmissionPolicy policy;
    private final CelEvaluator cel;

    PolicyEvaluator(ValidatingAdmissionPolicy policy, CelEvaluator cel) {
        this.policy = policy;
        this.cel = cel;
    }

    /** What the policy decides for {@code request} (an AdmissionRequest with {@code object} and {@code oldObject}). */
    Decision admit(JsonNode request) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("request", CelEvaluator.value(request));
        bindings.put("object", CelEvaluator.value(request.path("object")));
        // A CREATE has no oldObject: the API server binds null, not an empty value.
        bindings.put("oldObject", request.path("oldObject").isMissingNode() || request.path("oldObject").isNull()
                ? com.google.protobuf.NullValue.NULL_VALUE : CelEvaluator.value(request.path("oldObject")));
        for (MatchCondition condition : policy.getSpec().getMatchConditions()) {
            Object matched = evaluateOrError(condition.getExpression(), bindings);
            if (matched instanceof Failure failure) {
                return Decision.denied(List.of("matchCondition " + condition.getName() + " failed: " + failure.error()));
            }
            if (!Boolean.TRUE.equals(matched)) {
                return Decision.notApplicable();
            }
        }
        Map<String, Object> variables = new LinkedHashMap<>();
        bindings.put("variables", variables);
        List<String> denials = new ArrayList<>();
        for (Variable variable : policy.getSpec().getVariables()) {
            Object value = evaluateOrError(variable.getExpression(), bindings);
            if (value instanceof Failure failure) {
                denials.add("variable " + variable.getName() + " failed: " + failure.error());
            } else {
                variables.put(variable.getName(), value);
            }
        }
        if (!denials.isEmpty()) {
            return Decision.denied(denials);
        }
        for (Validation validation : policy.getSpec().getValidations()) {
            Object valid = evaluateOrError(validation.getExpression(), bindings);
            if (valid instanceof Failure failure) {
                denials.add("expression failed: " + failure.error());
            } else if (!Boolean.TRUE.equals(valid)) {
                denials.add(message(validation, bindings));
            }
        }
        return denials.isEmpty() ? Decision.allowed() : Decision.denied(denials);
    }

    private String message(Validation validation, Map<String, Object> bindings) {
        if (validation.getMessageExpression() != null) {
            Object message = evaluateOrError(validation.getMessageExpression(), bindings);
            if (message instanceof String text && !text.isBlank()) {
                return text;
            }
        }
        return validation.getMessage() != null ? validation.getMessage() : "failed expression: " + validation.getExpression();
    }

    private Object evaluateOrError(String expression, Map<String, Object> bindings) {
        try {
            return cel.evaluate(expression, bindings);
        } catch (CelEvaluationException e) {
            return new Failure(e.getMessage());
        }
    }

    /** Asserts that the policy applied to the request and admitted it. */
    static void assertAllowed(Decision decision) {
        assertThat(decision.applies()).isTrue();
        assertThat(decision.denials()).as("denials").isEmpty();
    }

    /** Asserts that the policy applied and denied the request, every message its own and one of them naming what. */
    static void assertDenied(Decision decision, String expectedMessage) {
        assertThat(decision.applies()).isTrue();
        assertThat(decision.denials()).as("denials").isNotEmpty()
                .allSatisfy(message -> assertThat(message).doesNotContain("failed:")
                        .startsWith("activemq-ha: "))
                .anySatisfy(message -> assertThat(message).contains(expectedMessage));
    }

    private record Failure(String error) {
    }

    /**
     * @param applies whether the matchConditions selected the request
     * @param denials the messages of the failed validations; empty when admitted
     */
    record Decision(boolean applies, List<String> denials) {
        static Decision notApplicable() {
            return new Decision(false, List.of());
        }

        static Decision allowed() {
            return new Decision(true, List.of());
        }

        static Decision denied(List<String> messages) {
            return new Decision(true, List.copyOf(messages));
        }

        boolean isAllowed() {
            return denials.isEmpty();
        }
    }
}
