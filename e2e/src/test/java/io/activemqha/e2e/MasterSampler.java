package io.activemqha.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Samples which brokers accept clients, directly at each pod's address (not through the Service): every
 * {@value #PERIOD_MS} ms, a STOMP handshake with each; a broker that answers CONNECTED within
 * {@value #ANSWER_MS} ms accepts clients. A stopped (SIGSTOP) process's socket still completes the TCP handshake
 * in the kernel, so only a protocol answer counts. Never two at once is the invariant.
 */
final class MasterSampler implements AutoCloseable {
    static final int PERIOD_MS = 200;
    static final int ANSWER_MS = 500;

    /** One round: when it started (epoch ms) and the pods whose broker answered. */
    record Sample(long epochMillis, Set<String> accepting) {
    }

    private static final long REFRESH_MS = 1000;

    private final Supplier<Map<String, String>> pods;
    private volatile Map<String, String> addressOfPod = Map.of();
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private final Thread refresher;
    private volatile boolean running = true;

    private MasterSampler(Supplier<Map<String, String>> pods) {
        this.pods = pods;
        this.thread = new Thread(this::loop, "master-sampler");
        this.thread.setDaemon(true);
        this.refresher = new Thread(this::refresh, "master-sampler-pods");
        this.refresher.setDaemon(true);
    }

    /**
     * Starts sampling the brokers of the pods {@code pods} names (pod name to pod IP), asked again every round, so
     * replaced pods are followed; while it cannot be asked (the API server stopped), the last answer is used.
     */
    static MasterSampler start(Supplier<Map<String, String>> pods) {
        MasterSampler sampler = new MasterSampler(pods);
        sampler.addressOfPod = Map.copyOf(pods.get());
        sampler.refresher.start();
        sampler.thread.start();
        return sampler;
    }

    private void loop() {
        while (running) {
            long started = System.currentTimeMillis();
            Set<String> accepting = new TreeSet<>();
            addressOfPod.forEach((pod, address) -> {
                try (StompConnection ignored = StompConnection.open(address, ClientTraffic.STOMP_PORT, ANSWER_MS, ANSWER_MS)) {
                    accepting.add(pod);
                } catch (IOException notAccepting) {
                    // Refused, no answer in time, or not a CONNECTED frame.
                }
            });
            synchronized (samples) {
                samples.add(new Sample(started, Set.copyOf(accepting)));
            }
            long rest = PERIOD_MS - (System.currentTimeMillis() - started);
            if (rest > 0) {
                try {
                    Thread.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Follows pod replacements on its own thread: a stopped API server must not stall the sampling. */
    private void refresh() {
        while (running) {
            try {
                addressOfPod = Map.copyOf(pods.get());
            } catch (RuntimeException apiUnavailable) {
                // Keep sampling the pods last known.
            }
            try {
                Thread.sleep(REFRESH_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** The rounds in which more than one broker accepted clients. */
    List<Sample> overlaps() {
        return samples().stream().filter(s -> s.accepting().size() > 1).toList();
    }

    /** The first round at or after {@code sinceMillis} in which {@code pod}'s broker accepted. */
    Optional<Long> firstAccepting(String pod, long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis && s.accepting().contains(pod))
                .map(Sample::epochMillis).findFirst();
    }

    /** The last round in [{@code fromMillis}, {@code toMillis}) in which {@code pod}'s broker accepted. */
    Optional<Long> lastAccepting(String pod, long fromMillis, long toMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= fromMillis && s.epochMillis() < toMillis
                && s.accepting().contains(pod)).map(Sample::epochMillis).max(Long::compare);
    }

    /** The rounds at or after {@code sinceMillis} in which {@code pod}'s broker accepted. */
    long acceptingRounds(String pod, long sinceMillis) {
        return samples().stream().filter(s -> s.epochMillis() >= sinceMillis && s.accepting().contains(pod)).count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        refresher.interrupt();
        thread.join(5000);
        refresher.join(5000);
    }
}
