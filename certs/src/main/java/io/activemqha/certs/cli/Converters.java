package io.activemqha.certs.cli;

import io.activemqha.certs.Durations;
import io.activemqha.certs.KeyAlgorithm;
import java.time.Duration;
import picocli.CommandLine;

/** picocli converters for the option types, so bad values are usage errors naming the option. */
final class Converters {
    private Converters() {
    }

    /** {@link Durations} syntax. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@link KeyAlgorithm#parse} syntax. */
    static final class KeyAlgorithmConverter implements CommandLine.ITypeConverter<KeyAlgorithm> {
        @Override
        public KeyAlgorithm convert(String value) {
            try {
                return KeyAlgorithm.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
