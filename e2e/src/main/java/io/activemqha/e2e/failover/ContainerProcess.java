package io.activemqha.e2e.failover;

import io.activemqha.e2e.ChildProcess;
import io.activemqha.e2e.CommandResult;
import io.activemqha.e2e.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One container of a pod as a local process in the pod's network namespace; started, killed and restarted on demand. */
public final class ContainerProcess {
    private final String name;
    private final List<String> command;
    private final Map<String, String> processEnvironment;
    private final Map<String, String> specEnvironment;
    private final Path log;
    private ChildProcess process;
    private int restarts = -1;
    private long startedAtMillis;

    ContainerProcess(String name, List<String> command, Map<String, String> processEnvironment,
                     Map<String, String> specEnvironment, Path log) {
        this.name = name;
        this.command = List.copyOf(command);
        this.processEnvironment = Map.copyOf(processEnvironment);
        this.specEnvironment = Map.copyOf(specEnvironment);
        this.log = log;
    }

    public String name() {
        return name;
    }

    /** The environment from the pod spec (field references resolved) plus the kubelet's service variables. */
    public Map<String, String> environment() {
        return specEnvironment;
    }

    public Path log() {
        return log;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return process.pid();
    }

    /** How often the container was started again after its first start. */
    public synchronized int restarts() {
        return restarts;
    }

    /** When the current (or last) process was started, epoch ms: its log lines before that are a predecessor's. */
    public synchronized long startedAtMillis() {
        return startedAtMillis;
    }

    /** Starts the process unless it runs. */
    public synchronized void start() {
        if (!isRunning()) {
            startedAtMillis = System.currentTimeMillis();
            process = ChildProcess.start(name, command, processEnvironment, log);
            restarts++;
        }
    }

    /** SIGKILL: a crash, no chance to release anything. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            process.close();
        }
    }

    /** Sends {@code signal} (e.g. HUP) to the process. */
    public synchronized void signal(String signal) {
        CommandResult result = Commands.run(List.of("kill", "-" + signal, String.valueOf(pid())), Map.of(),
                Duration.ofSeconds(10));
        if (!result.succeeded()) {
            throw new IllegalStateException("kill -" + signal + " " + name + ": " + result.stderr());
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    public synchronized void stop() {
        if (process != null) {
            process.close();
        }
    }

    public synchronized String logTail(int lines) {
        return process == null ? name + " never started" : process.logTail(lines);
    }
}
