package io.activemqha.e2e.failover;

import io.activemqha.e2e.ChildProcess;
import io.activemqha.e2e.CommandResult;
import io.activemqha.e2e.Commands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One pod's network namespace, held by its pause process, with the pod's address on {@code eth0}. Containers run
 * inside it through {@code nsenter}, which execs the container's command, so the process id is the container's.
 */
public final class PodSandbox implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final String podName;
    private final String address;
    private final ChildProcess pause;

    PodSandbox(String podName, String address, ChildProcess pause) {
        this.podName = podName;
        this.address = address;
        this.pause = pause;
    }

    public String podName() {
        return podName;
    }

    /** The pod's IP (status.podIP). */
    public String address() {
        return address;
    }

    /** {@code command} prefixed so that it runs in this pod's network namespace. */
    public List<String> inNamespace(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("nsenter", "--net=/proc/" + pause.pid() + "/ns/net", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    void run(String... command) {
        CommandResult result = Commands.run(inNamespace(List.of(command)), Map.of(), COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException("in pod " + podName + ": " + String.join(" ", command) + " failed: "
                    + result.stderr());
        }
    }

    /** Ends the pause process: the namespace goes with its last process, and the veth pair with it. */
    @Override
    public void close() {
        pause.close();
    }
}
