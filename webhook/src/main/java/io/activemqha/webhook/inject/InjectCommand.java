package io.activemqha.webhook.inject;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** PLACEHOLDER: replaced by the real 'inject' command. */
@Command(name = "inject", description = "not implemented yet")
public final class InjectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("'inject' is not implemented yet");
        return 2;
    }
}
