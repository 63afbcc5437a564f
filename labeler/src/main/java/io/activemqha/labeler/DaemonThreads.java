package io.activemqha.labeler;

import java.util.concurrent.ThreadFactory;

/** Threads of the labeler's executors: named for thread dumps, daemons so that none keeps a stopping JVM alive. */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    public static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
