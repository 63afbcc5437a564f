package io.activemqha.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A local process started by a test, its output in a log file; {@link #close()} ends it and everything it spawned.
 */
public final class ChildProcess implements AutoCloseable {
    private static final long GRACE_SECONDS = 10;

    private final String name;
    private final Process process;
    private final Path log;
    private final Thread shutdownHook;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        // Surefire/failsafe stop a timed-out or interrupted fork with SIGTERM: the hook keeps children from outliving it.
        this.shutdownHook = new Thread(this::terminate, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code command} with stdout and stderr appended to {@code log}. Proxy variables are removed from the
     * environment: every test connection is to loopback and must never be redirected elsewhere.
     */
    public static ChildProcess start(String name, List<String> command, Map<String, String> environment, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        NetworkIsolation.scrubProxyVariables(builder.environment());
        builder.environment().putAll(environment);
        try {
            Files.createDirectories(log.getParent());
            return new ChildProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                    .collect(Collectors.joining("\n", name + " log (" + log + ", exit "
                            + (process.isAlive() ? "-" : String.valueOf(process.exitValue())) + "):\n", ""));
        } catch (IOException e) {
            return name + " log unreadable: " + e.getMessage();
        }
    }

    /** Sends SIGKILL to the process only (not its children): a crash, as a test may need to simulate. */
    public void kill() {
        process.destroyForcibly();
        waitForExit(process.toHandle());
    }

    /** SIGTERM to the process and its descendants, SIGKILL after a grace period; idempotent. */
    @Override
    public void close() {
        terminate();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to unregister
        }
    }

    private void terminate() {
        List<ProcessHandle> tree = process.descendants().collect(Collectors.toList());
        tree.add(0, process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                handle.destroyForcibly();
                waitForExit(handle);
            }
        }
    }

    private static void waitForExit(ProcessHandle handle) {
        try {
            handle.onExit().get(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("process " + handle.pid() + " did not exit after SIGKILL", e);
        }
    }
}
