#!/usr/bin/env python3
"""Webhook benchmark: the real webhook against a do-nothing Vert.x TLS baseline, driven by h2load.

Started by bench/run.sh (which builds the jars and installs h2load); writes a JSON result and prints a table.
Everything listens on and connects to 127.0.0.1 only, on ports picked free at run time; every run is bounded in
time (h2load -D) and every process started here is killed before returning, also on failure.

Method (see BENCHMARKS.md):
  * both servers run with the same JVM flags (by default the webhook image's, plus what its Deployment's limits of
    320Mi and 1 CPU make the JVM see: MaxRAM and ActiveProcessorCount) and the same certificate; with --pin they are pinned to
    CPU 0 and h2load to CPU 1 (steadier on a quiet machine, but on a busy one the pinned server waits for its CPU);
  * start-up: time from spawning the JVM to the first 200 from GET /readyz (median of several starts);
  * each server is warmed up (JIT) with sustained load before anything is recorded;
  * max throughput: closed-loop h2load, many requests in flight, per protocol, alternating servers each round;
  * latency: open-loop h2load --rps at fixed rates; percentiles from h2load's per-request log;
  * RSS: VmRSS sampled from /proc during the webhook's runs, and VmHWM at the end.
"""
import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

JSON_TYPE = "content-type: application/json"
PROTOCOLS = {
    # name -> h2load flags selecting it, connections, in-flight requests per connection
    "h2": {"flags": [], "connections": 4, "streams": 32},
    # with -d, h2load sends one request at a time per HTTP/1.1 connection (no pipelining)
    "http/1.1": {"flags": ["--h1"], "connections": 20, "streams": 1},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu, command, pin):
    return (["taskset", "-c", str(cpu)] if pin else []) + command


class Server:
    """One server process (the webhook or the baseline) on a free loopback port."""

    def __init__(self, name, command_for_port, ca_file, log_dir):
        self.name = name
        self.port = free_port()
        self.command = command_for_port(self.port)
        self.ca_file = ca_file
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.process = None

    def start(self, timeout=120.0):
        """Spawns the process and waits for GET /readyz 200; returns milliseconds from spawn to ready."""
        log = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        context = ssl.create_default_context(cafile=self.ca_file)
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} before it was ready; see {self.log_path}")
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=2, context=context)
                connection.request("GET", "/readyz")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return (time.monotonic() - started) * 1000.0
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} was not ready within {timeout}s; see {self.log_path}")

    def post(self, path, body):
        context = ssl.create_default_context(cafile=self.ca_file)
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=context)
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, data

    def memory_kib(self):
        """VmRSS and VmHWM of the process, KiB."""
        values = {}
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0])
        return values["VmRSS"], values["VmHWM"]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class RssSampler:
    """Samples a server's VmRSS every half second while load runs; keeps the largest."""

    def __init__(self, server):
        self.server = server
        self.max_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            try:
                self.max_kib = max(self.max_kib, self.server.memory_kib()[0])
            except OSError:
                pass
            self._stop.wait(0.5)


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


class LoadGenerator:
    """Runs h2load against a server: closed-loop for throughput, --rps for fixed-rate latency."""

    def __init__(self, body_file, pin, work_dir):
        self.body_file = body_file
        self.pin = pin
        self.work_dir = work_dir

    def _run(self, server, protocol, extra, seconds):
        spec = PROTOCOLS[protocol]
        command = pinned(1, ["h2load", "-D", str(seconds), "-c", str(spec["connections"]),
                             "-m", str(spec["streams"]), "-d", self.body_file, "-H", JSON_TYPE]
                         + spec["flags"] + extra + [f"https://127.0.0.1:{server.port}/mutate"], self.pin)
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
        out = result.stdout
        if result.returncode != 0 or "Application protocol: " + protocol not in out:
            raise RuntimeError(f"h2load failed against {server.name} ({protocol}):\n{out}\n{result.stderr}")
        summary = parse_h2load(out)
        if summary["failed"] or summary["errored"] or summary["non_2xx"]:
            raise RuntimeError(f"h2load saw failures against {server.name} ({protocol}):\n{out}")
        return summary

    def throughput(self, server, protocol, seconds, warm_up):
        return self._run(server, protocol, ["--warm-up-time", str(warm_up)], seconds)

    def fixed_rate(self, server, protocol, rate, seconds, skip):
        """Latency at `rate` req/s: per-request times from h2load's log, dropping the first `skip` seconds."""
        connections = PROTOCOLS[protocol]["connections"]
        if rate % connections:
            raise ValueError(f"rate {rate} is not a multiple of {connections} connections")
        log_file = os.path.join(self.work_dir, f"latency-{server.name}-{protocol.replace('/', '')}-{rate}.tsv")
        summary = self._run(server, protocol, ["--rps", str(rate // connections), "--log-file", log_file],
                            seconds + skip)
        rows = []
        with open(log_file) as log:
            for line in log:
                start_us, status, elapsed_us = line.split("\t")[:3]
                rows.append((int(start_us), int(status), int(elapsed_us)))
        first = min(r[0] for r in rows)
        window_start = first + skip * 1_000_000
        measured = sorted(r[2] / 1000.0 for r in rows if r[0] >= window_start)
        last = max(r[0] for r in rows)
        window = max((last - window_start) / 1e6, 1e-3)
        return {
            "target_rps": rate,
            "achieved_rps": round(len(measured) / window, 1),
            "requests": len(measured),
            "p50_ms": round(percentile(measured, 50), 3),
            "p99_ms": round(percentile(measured, 99), 3),
            "p999_ms": round(percentile(measured, 99.9), 3),
            "max_ms": round(measured[-1], 3),
            "connections": connections,
        }


def parse_h2load(out):
    finished = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s", out)
    requests = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                         r"(\d+) errored, (\d+) timeout", out)
    codes = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if not (finished and requests and codes):
        raise RuntimeError("unexpected h2load output:\n" + out)
    return {
        "rps": float(finished.group(2)),
        "seconds": float(finished.group(1)),
        "succeeded": int(requests.group(4)),
        "failed": int(requests.group(5)),
        "errored": int(requests.group(6)) + int(requests.group(7)),
        "non_2xx": int(codes.group(2)) + int(codes.group(3)) + int(codes.group(4)),
    }


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def machine():
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.strip().splitlines()
    h2load = subprocess.run(["h2load", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "java": java[1] if len(java) > 1 else " ".join(java),
        "load_generator": h2load,
    }


def labeler_figures(path):
    with open(path) as f:
        labeler = json.load(f)
    launcher = labeler["footprint"]["launcher"]
    return {
        "labeler_rss_mib": round(launcher["rss_kib"]["median"] / 1024, 1),
        "labeler_start_ms": round(launcher["startup_ms"]["median"]),
        "labeler_source": {"file": os.path.relpath(path), "date": labeler.get("date"),
                           "variant": "launcher (image JVM flags + AppCDS)"},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--webhook-jar", required=True)
    parser.add_argument("--baseline-jar", required=True)
    parser.add_argument("--tls-dir", required=True, help="ca.crt, tls.crt, tls.key")
    parser.add_argument("--request", required=True, help="AdmissionReview request body")
    parser.add_argument("--labeler-json", required=True)
    parser.add_argument("--review-cost", help="ReviewCost's JSON: the review's CPU cost without the server")
    parser.add_argument("--out", required=True)
    parser.add_argument("--jvm-flags",
                        default="-XX:MaxRAM=320m -XX:MaxRAMPercentage=70 -XX:ActiveProcessorCount=1 -XX:-UsePerfData "
                                "-XX:+ExitOnOutOfMemoryError")
    parser.add_argument("--extra-webhook-flags", default="", help="e.g. a JFR recording")
    parser.add_argument("--warm-up", type=int, default=80, help="seconds of load on the webhook before recording")
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput run")
    parser.add_argument("--latency-duration", type=int, default=15, help="seconds per fixed-rate run")
    parser.add_argument("--rounds", type=int, default=3, help="throughput runs per server and protocol (best counts)")
    parser.add_argument("--rates", default="200,2000")
    parser.add_argument("--starts", type=int, default=3, help="start-up measurements per server")
    parser.add_argument("--pin", action="store_true", help="pin the servers to CPU 0 and h2load to CPU 1")
    args = parser.parse_args()

    pin = args.pin and (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    rates = [int(r) for r in args.rates.split(",")]
    jvm = args.jvm_flags.split()
    tls = {name: os.path.join(args.tls_dir, name) for name in ("ca.crt", "tls.crt", "tls.key")}
    work_dir = tempfile.mkdtemp(prefix="activemq-ha-bench-")
    load_before = loadavg()
    began = time.monotonic()

    def webhook_command(port, extra=()):
        return pinned(0, ["java", *jvm, *extra, "-jar", args.webhook_jar, "serve", "--host", "127.0.0.1",
                          "--port", str(port), "--tls-cert", tls["tls.crt"], "--tls-key", tls["tls.key"],
                          "--provision-rbac=false"], pin)

    response_file = os.path.join(work_dir, "response.json")

    def baseline_command(port):
        return pinned(0, ["java", *jvm, "-jar", args.baseline_jar, "127.0.0.1", str(port), tls["tls.crt"],
                          tls["tls.key"], response_file], pin)

    with open(args.request, "rb") as f:
        request = f.read()
    servers = []
    try:
        # The webhook's answer to the request, so that the baseline answers exactly the same bytes.
        probe = Server("webhook-probe", webhook_command, tls["ca.crt"], work_dir)
        servers.append(probe)
        probe.start()
        # The first review after start-up runs in the interpreter and loads the model classes: the pod that meets
        # a fresh webhook waits this long (connection and TLS handshake included, as for the baseline below).
        began_first = time.monotonic()
        status, response = probe.post("/mutate", request)
        first_review_ms = (time.monotonic() - began_first) * 1000.0
        answer = json.loads(response)["response"]
        if status != 200 or not answer.get("allowed") or answer.get("patchType") != "JSONPatch":
            raise RuntimeError(f"the webhook did not inject the benchmark pod: {status} {response[:300]!r}")
        probe.stop()
        with open(response_file, "wb") as f:
            f.write(response)

        print(f"start-up: {args.starts} starts per server...", flush=True)
        ready = {"webhook": [], "baseline": []}
        for _ in range(args.starts):
            for name, command in (("webhook", webhook_command), ("baseline", baseline_command)):
                server = Server(f"{name}-start", command, tls["ca.crt"], work_dir)
                servers.append(server)
                ready[name].append(round(server.start()))
                server.stop()

        webhook = Server("webhook", lambda port: webhook_command(port, args.extra_webhook_flags.split()),
                         tls["ca.crt"], work_dir)
        baseline = Server("baseline", baseline_command, tls["ca.crt"], work_dir)
        servers += [webhook, baseline]
        webhook.start()
        baseline.start()
        began_first = time.monotonic()
        status, baseline_response = baseline.post("/mutate", request)
        baseline_first_ms = (time.monotonic() - began_first) * 1000.0
        if status != 200 or len(baseline_response) != len(response):
            raise RuntimeError("the baseline does not answer like the webhook")
        idle_rss_kib = webhook.memory_kib()[0]
        load = LoadGenerator(args.request, pin, work_dir)
        pair = {"webhook": webhook, "baseline": baseline}
        rss_max = 0

        # The review's code paths (Jackson, fabric8 model, JSON diff) need tens of thousands of requests before the
        # JIT has compiled them; the baseline's much fewer.
        print(f"warm-up: {args.warm_up}s of load on the webhook, {args.warm_up // 4}s on the baseline...", flush=True)
        for protocol in PROTOCOLS:
            for name, server in pair.items():
                share = args.warm_up * (3 if protocol == "h2" else 1) // 4 if name == "webhook" else args.warm_up // 8
                with RssSampler(webhook) as sampler:
                    load.throughput(server, protocol, max(share, 2), 1)
                if name == "webhook":
                    rss_max = max(rss_max, sampler.max_kib)

        results = {}
        for protocol in PROTOCOLS:
            throughput = {name: [] for name in pair}
            for round_no in range(args.rounds):
                order = list(pair.items()) if round_no % 2 == 0 else list(reversed(pair.items()))
                for name, server in order:
                    with RssSampler(webhook) as sampler:
                        run = load.throughput(server, protocol, args.duration, 2)
                    if name == "webhook":
                        rss_max = max(rss_max, sampler.max_kib)
                    throughput[name].append(run["rps"])
                    print(f"  {protocol:8} {name:8} max throughput {run['rps']:9.1f} req/s", flush=True)
            latency = {name: {} for name in pair}
            for rate_no, rate in enumerate(rates):
                order = list(pair.items()) if rate_no % 2 == 0 else list(reversed(pair.items()))
                for name, server in order:
                    with RssSampler(webhook) as sampler:
                        run = load.fixed_rate(server, protocol, rate, args.latency_duration, 2)
                    if name == "webhook":
                        rss_max = max(rss_max, sampler.max_kib)
                    latency[name][str(rate)] = run
                    print(f"  {protocol:8} {name:8} at {rate:5} req/s: p50 {run['p50_ms']:.2f} p99 {run['p99_ms']:.2f} "
                          f"p99.9 {run['p999_ms']:.2f} ms (achieved {run['achieved_rps']} req/s)", flush=True)
            best = {name: max(values) for name, values in throughput.items()}
            results[protocol] = {
                "connections": PROTOCOLS[protocol]["connections"],
                "streams_per_connection": PROTOCOLS[protocol]["streams"],
                "webhook_rps": best["webhook"],
                "baseline_rps": best["baseline"],
                "rps_ratio": round(best["webhook"] / best["baseline"], 3),
                "throughput_runs": throughput,
                "latency": latency,
            }
        rss_now, hwm = webhook.memory_kib()
    finally:
        for server in servers:
            server.stop()

    headline = results["h2"]
    high = str(max(rates))
    figures = {
        "webhook_rps": headline["webhook_rps"],
        "baseline_rps": headline["baseline_rps"],
        "rps_ratio": headline["rps_ratio"],
        "webhook_p99_ms": headline["latency"]["webhook"][high]["p99_ms"],
        "baseline_p99_ms": headline["latency"]["baseline"][high]["p99_ms"],
        "p99_delta_ms": round(headline["latency"]["webhook"][high]["p99_ms"]
                              - headline["latency"]["baseline"][high]["p99_ms"], 3),
        "webhook_rss_mib": round(rss_max / 1024, 1),
        "webhook_hwm_mib": round(hwm / 1024, 1),
        "webhook_idle_rss_mib": round(idle_rss_kib / 1024, 1),
        "webhook_ready_ms": statistics.median(ready["webhook"]),
        "baseline_ready_ms": statistics.median(ready["baseline"]),
        "webhook_first_review_ms": round(first_review_ms, 1),
        "baseline_first_answer_ms": round(baseline_first_ms, 1),
    }
    figures.update(labeler_figures(args.labeler_json))
    if args.review_cost:
        with open(args.review_cost) as f:
            cost = json.load(f)
        figures["review_us"] = cost["review_us_min"]
        figures["review_us_median"] = cost["review_us_median"]
    result = {
        **figures,
        "aims": {
            "rps_ratio_at_least": 0.8,
            "p99_delta_at_most_ms": 1.0,
            "rps_ratio_met": figures["rps_ratio"] >= 0.8,
            "p99_delta_met": figures["p99_delta_ms"] <= 1.0,
        },
        "headline": f"HTTP/2; p99 at {high} req/s",
        "protocols": results,
        "ready_ms_runs": ready,
        "request_bytes": len(request),
        "response_bytes": len(response),
        "jvm_flags": args.jvm_flags,
        "pinning": "servers on CPU 0, h2load on CPU 1" if pin else "none",
        "settings": {"warm_up_s": args.warm_up, "throughput_s": args.duration, "latency_s": args.latency_duration,
                     "rounds": args.rounds, "rates": rates},
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "elapsed_s": round(time.monotonic() - began),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "bench/run.sh",
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print_table(result)
    shutil.rmtree(work_dir, ignore_errors=True)


def print_table(r):
    print()
    print(f"{'':28}{'webhook':>12}{'baseline':>12}{'ratio/delta':>14}")
    for protocol, p in r["protocols"].items():
        print(f"{protocol + ' max req/s':28}{p['webhook_rps']:12.0f}{p['baseline_rps']:12.0f}{p['rps_ratio']:14.2f}")
        for rate, w in p["latency"]["webhook"].items():
            b = p["latency"]["baseline"][rate]
            for key, label in (("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")):
                print(f"{f'{protocol} {label} ms @{rate}/s':28}{w[key]:12.2f}{b[key]:12.2f}{w[key] - b[key]:+14.2f}")
    print(f"{'ready ms (median)':28}{r['webhook_ready_ms']:12.0f}{r['baseline_ready_ms']:12.0f}")
    print(f"{'first request ms':28}{r['webhook_first_review_ms']:12.1f}{r['baseline_first_answer_ms']:12.1f}")
    print(f"{'webhook RSS MiB under load':28}{r['webhook_rss_mib']:12.1f}   (HWM {r['webhook_hwm_mib']}, idle {r['webhook_idle_rss_mib']})")
    if "review_us" in r:
        print(f"{'review CPU us (no server)':28}{r['review_us']:12.1f}   (median of batches {r['review_us_median']})")
    print(f"{'labeler RSS MiB / start ms':28}{r['labeler_rss_mib']:12.1f}{r['labeler_start_ms']:12.0f}")
    aims = r["aims"]
    print(f"aim throughput >= 0.8 of baseline: {'met' if aims['rps_ratio_met'] else 'NOT met'} ({r['rps_ratio']}); "
          f"aim p99 within 1 ms at 2,000 req/s: {'met' if aims['p99_delta_met'] else 'NOT met'} ({r['p99_delta_ms']:+} ms)")
    print(f"load average before/after: {r['loadavg_before']} / {r['loadavg_after']} on {r['machine']['nproc']} CPUs")


if __name__ == "__main__":
    sys.exit(main())
