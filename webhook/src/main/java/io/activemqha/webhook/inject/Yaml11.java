package io.activemqha.webhook.inject;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * YAML as kubectl reads it (YAML 1.1: {@code 0644} is octal, {@code yes}/{@code no} are booleans), so a re-written
 * manifest means what the original meant. Timestamps stay strings, as Kubernetes' own YAML decoding keeps them.
 */
final class Yaml11 {
    private final LoaderOptions loaderOptions = new LoaderOptions();
    private final DumperOptions dumperOptions = new DumperOptions();

    Yaml11() {
        loaderOptions.setAllowDuplicateKeys(false);
        dumperOptions.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        dumperOptions.setIndent(2);
        dumperOptions.setSplitLines(false);
        dumperOptions.setWidth(Integer.MAX_VALUE);
    }

    /** The documents of {@code text} as maps, lists, strings, numbers, booleans and nulls. */
    List<Object> load(String text) {
        List<Object> documents = new ArrayList<>();
        yaml().loadAll(text).forEach(documents::add);
        return documents;
    }

    /** The parser's events for {@code text}, read lazily: a malformed stream throws while they are iterated. */
    Iterable<Event> parse(String text) {
        return yaml().parse(new StringReader(text));
    }

    /** One document in block style, multi-line strings as literal blocks. */
    String dump(Object document) {
        return yaml().dump(document);
    }

    // SnakeYAML instances are not thread-safe: one per call keeps this type safe to share.
    private Yaml yaml() {
        return new Yaml(new StringTimestamps(loaderOptions), new LiteralMultiline(dumperOptions), dumperOptions, loaderOptions);
    }

    private static final class StringTimestamps extends SafeConstructor {
        StringTimestamps(LoaderOptions options) {
            super(options);
            yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
        }
    }

    private static final class LiteralMultiline extends Representer {
        LiteralMultiline(DumperOptions options) {
            super(options);
        }

        @Override
        protected Node representScalar(Tag tag, String value, DumperOptions.ScalarStyle style) {
            // The emitter falls back to a quoted style when a literal block cannot hold the value exactly.
            boolean multiline = Tag.STR.equals(tag) && value.indexOf('\n') >= 0;
            return super.representScalar(tag, value, multiline ? DumperOptions.ScalarStyle.LITERAL : style);
        }
    }
}
