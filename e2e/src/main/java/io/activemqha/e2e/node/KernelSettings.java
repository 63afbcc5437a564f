package io.activemqha.e2e.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel settings kubelet sets for the whole machine at start (its "kernel tunables": panic on oops, reboot 10 s
 * after a panic, always overcommit memory...), recorded before the node starts and put back after it stopped. They
 * are not namespaced, so a test node would otherwise change the machine for good.
 *
 * @param values each setting's {@code /proc/sys} path and the value it had
 */
public record KernelSettings(Map<Path, String> values) {
    private static final List<String> SETTINGS = List.of("vm/overcommit_memory", "vm/panic_on_oom", "kernel/panic",
            "kernel/panic_on_oops", "kernel/keys/root_maxkeys", "kernel/keys/root_maxbytes");

    public KernelSettings {
        values = Map.copyOf(values);
    }

    /** The settings as they are now. */
    public static KernelSettings record() {
        Map<Path, String> values = new LinkedHashMap<>();
        for (String setting : SETTINGS) {
            Path file = Path.of("/proc/sys", setting);
            try {
                values.put(file, read(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return new KernelSettings(values);
    }

    /** Writes back every recorded value. */
    public void restore() {
        for (Map.Entry<Path, String> setting : values.entrySet()) {
            try {
                Files.writeString(setting.getKey(), setting.getValue());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot restore " + setting.getKey() + " to " + setting.getValue(), e);
            }
        }
    }

    // One read call: a sysctl answers a read at a non-zero offset with end-of-file, so a reader that first reads one
    // byte (as Files.readString does with a file of size 0) sees "1" of "10".
    private static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[256];
            int length = in.read(buffer);
            return new String(buffer, 0, Math.max(length, 0), StandardCharsets.US_ASCII).strip();
        }
    }
}
