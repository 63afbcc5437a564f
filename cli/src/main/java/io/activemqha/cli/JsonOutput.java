package io.activemqha.cli;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writes report records as indented JSON ({@code -o json}). */
public final class JsonOutput {
    private final JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public String write(Object report) {
        return mapper.writeValueAsString(report);
    }
}
