package io.activemqha.webhook.server;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** PLACEHOLDER: replaced by the real 'serve' command. */
@Command(name = "serve", description = "not implemented yet")
public final class ServeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("'serve' is not implemented yet");
        return 2;
    }
}
