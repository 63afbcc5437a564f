import io.activemqha.webhook.admission.AdmissionResult;
import io.activemqha.webhook.admission.AdmissionReviewer;
import io.activemqha.webhook.admission.InjectorConfig;
import io.activemqha.webhook.admission.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CPU cost of one admission review without the server: {@link AdmissionReviewer#review} on one thread, in a loop,
 * after a JIT warm-up. It is the floor under the webhook's per-request cost that no transport tuning removes, and a
 * much steadier before/after figure than throughput on a shared machine. Run as a single-file program against the
 * jar being measured (bench/run.sh does):
 * {@code java -cp activemq-ha-webhook.jar bench/review/ReviewCost.java REQUEST.json [WARM_UP_S] [BATCHES]};
 * prints one JSON object.
 */
public final class ReviewCost {
    private static final int BATCH = 1000;

    public static void main(String[] args) throws Exception {
        byte[] request = Files.readAllBytes(Path.of(args[0]));
        long warmUpNanos = (args.length > 1 ? Long.parseLong(args[1]) : 40) * 1_000_000_000L;
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        AdmissionReviewer reviewer = new AdmissionReviewer(InjectorConfig.defaults());
        AdmissionResult first = reviewer.review(request);
        if (first.outcome() != Outcome.INJECTED) {
            throw new IllegalStateException("the request is not injected: " + first.outcome() + " " + first.reason());
        }
        long sink = 0;
        long warmUpEnd = System.nanoTime() + warmUpNanos;
        while (System.nanoTime() < warmUpEnd) {
            sink += reviewer.review(request).body().length();
        }
        double[] micros = new double[batches];
        for (int b = 0; b < batches; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                sink += reviewer.review(request).body().length();
            }
            micros[b] = (System.nanoTime() - start) / 1e3 / BATCH;
        }
        Arrays.sort(micros);
        System.out.printf("{\"review_us_min\": %.1f, \"review_us_median\": %.1f, \"batches\": %d, \"batch\": %d, "
                + "\"checksum\": %d}%n", micros[0], micros[batches / 2], batches, BATCH, sink % 10);
    }
}
