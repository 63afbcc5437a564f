#!/usr/bin/env python3
"""Webhook benchmark: the real webhook against a do-nothing Vert.x TLS baseline and, with --peer-binary, against the
peer users would run instead (HashiCorp's vault-k8s agent injector), driven by h2load.

Started by bench/run.sh (which builds the jars and installs h2load); writes a JSON result and prints a table.
Everything listens on and connects to 127.0.0.1 only, on ports picked free at run time; every run is bounded in
time (h2load -D) and every process started here is killed before returning, also on failure.

Method (see BENCHMARKS.md):
  * the webhook runs as the image runs it: through its launcher (webhook/src/main/sh/webhook: its JVM flags and its
    class-data-sharing archive, built by bench/run.sh as the image build does), plus what its Deployment's limits of
    320Mi and 1 CPU make the JVM see (MaxRAM, ActiveProcessorCount); the baseline runs with the same JVM flags (no
    archive: it is a floor, not a product); both serve the same certificate; with --pin they are pinned to CPU 0 and
    h2load to CPU 1 (steadier on a quiet machine, but on a busy one the pinned server waits for its CPU);
  * start-up: time from spawning the JVM to the first 200 from GET /readyz (median of several starts);
  * each server is warmed up (JIT) with sustained load before anything is recorded;
  * max throughput: closed-loop h2load, many requests in flight, per protocol, alternating servers each round;
  * latency: open-loop h2load --rps at fixed rates; percentiles from h2load's per-request log;
  * RSS: VmRSS sampled from /proc during the webhook's runs, and VmHWM at the end.
  * CPU per 1,000 reviews: utime+stime from /proc/<pid>/stat around every load run, over the requests it served.
  * the peer (vault-k8s agent-inject, GOMAXPROCS=1) needs a Kubernetes API: a real etcd + kube-apiserver started
    here (token auth, AlwaysAllow), its in-cluster credentials written to /var/run/secrets/kubernetes.io/
    serviceaccount, which bench/run.sh puts on a tmpfs in a private mount + network namespace (refused otherwise).
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
import base64
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

    def __init__(self, name, command_for_port, ca_file, log_dir, env=None, ready_path="/readyz"):
        self.name = name
        self.port = free_port()
        self.command = command_for_port(self.port)
        self.ca_file = ca_file
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.env = env
        self.ready_path = ready_path
        self.process = None

    def spawn(self):
        log = open(self.log_path, "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=self.env)
        log.close()
        return started

    def start(self, timeout=120.0):
        """Spawns the process and waits for a 2xx from GET ready_path; returns milliseconds from spawn to ready."""
        started = self.spawn()
        context = ssl.create_default_context(cafile=self.ca_file)
        deadline = started + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=2, context=context)
                connection.request("GET", self.ready_path)
                status = connection.getresponse().status
                connection.close()
                if 200 <= status < 300:
                    return (time.monotonic() - started) * 1000.0
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} was not ready within {timeout}s; see {self.log_path}")

    def start_to_review(self, body, server_name, timeout=120.0):
        """Spawns the process and POSTs the review, as the API server does (TLS with SNI = the service's DNS name),
        until an injecting answer comes back; returns milliseconds from spawn to that answer."""
        started = self.spawn()
        deadline = started + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                status, data = self.post("/mutate", body, server_name=server_name, timeout=5)
                if status == 200:
                    injecting_answer(self.name, status, data)
                    return (time.monotonic() - started) * 1000.0
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.005)
        raise RuntimeError(f"{self.name} did not answer a review within {timeout}s; see {self.log_path}")

    def _check_alive(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode} before it was ready; see {self.log_path}")

    def cpu_seconds(self):
        """utime + stime of the process so far."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def post(self, path, body, server_name=None, timeout=30):
        context = ssl.create_default_context(cafile=self.ca_file)
        if server_name:
            connection = SniConnection(server_name, self.port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=context)
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


class SniConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 that sends (and verifies) the given host name, as the API server does for a webhook
    Service (Python sends no SNI when connecting to an IP address)."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def injecting_answer(name, status, data):
    """Checks that an AdmissionReview answer allows the pod and carries a non-empty JSON patch; returns the patch."""
    answer = json.loads(data).get("response", {}) if status == 200 else {}
    patch = json.loads(base64.b64decode(answer["patch"])) if answer.get("patch") else []
    if not answer.get("allowed") or answer.get("patchType") != "JSONPatch" or not patch:
        raise RuntimeError(f"{name} did not inject the benchmark pod: {status} {data[:300]!r}")
    return patch


class RssSampler:
    """Samples a server's VmRSS every half second while load runs; keeps the largest."""

    def __init__(self, server):
        self.server = server
        self.max_kib = 0
        self.samples = 0
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
                self.samples += 1
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
        cpu_before = server.cpu_seconds()
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
        cpu = server.cpu_seconds() - cpu_before
        out = result.stdout
        if result.returncode != 0 or "Application protocol: " + protocol not in out:
            raise RuntimeError(f"h2load failed against {server.name} ({protocol}):\n{out}\n{result.stderr}")
        summary = parse_h2load(out)
        if summary["failed"] or summary["errored"] or summary["non_2xx"]:
            raise RuntimeError(f"h2load saw failures against {server.name} ({protocol}):\n{out}")
        summary["cpu_s"] = round(cpu, 3)
        summary["cpu_ms_per_1000"] = round(cpu * 1e6 / summary["succeeded"], 1) if summary["succeeded"] else None
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
            "cpu_ms_per_1000": summary["cpu_ms_per_1000"],
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


class ControlPlane:
    """A real etcd + kube-apiserver on loopback, for the peer's in-cluster client: static token auth, AlwaysAllow
    (the peer lists and watches MutatingWebhookConfigurations before it serves), TLS from the bench's certificate."""

    def __init__(self, directory, tls, work_dir):
        self.directory = directory
        self.tls = tls
        self.dir = os.path.join(work_dir, "control-plane")
        os.makedirs(self.dir)
        self.port = free_port()
        self.token = base64.b32encode(os.urandom(20)).decode().lower()
        self.processes = []

    def _spawn(self, name, command):
        log = open(os.path.join(self.dir, f"{name}.log"), "ab")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.processes.append(process)

    def start(self, timeout=120.0):
        etcd_url, peer_url = (f"http://127.0.0.1:{free_port()}" for _ in range(2))
        self._spawn("etcd", [os.path.join(self.directory, "etcd"), "--name=bench", f"--data-dir={self.dir}/etcd",
                             f"--listen-client-urls={etcd_url}", f"--advertise-client-urls={etcd_url}",
                             f"--listen-peer-urls={peer_url}", f"--initial-advertise-peer-urls={peer_url}",
                             f"--initial-cluster=bench={peer_url}", "--initial-cluster-state=new",
                             "--unsafe-no-fsync=true", "--log-level=warn"])
        sa_key = os.path.join(self.dir, "sa.key")
        subprocess.run(["openssl", "genrsa", "-out", sa_key, "2048"], check=True, capture_output=True)
        tokens = os.path.join(self.dir, "tokens.csv")
        with open(tokens, "w") as f:
            f.write(f'{self.token},vault-agent-injector,1000,"system:authenticated"\n')
        server = f"https://127.0.0.1:{self.port}"
        self._spawn("kube-apiserver", [
            os.path.join(self.directory, "kube-apiserver"), f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={self.port}",
            f"--cert-dir={self.dir}/apiserver", f"--tls-cert-file={self.tls['tls.crt']}",
            f"--tls-private-key-file={self.tls['tls.key']}", f"--token-auth-file={tokens}",
            "--authorization-mode=AlwaysAllow", f"--service-account-issuer={server}",
            f"--service-account-key-file={sa_key}", f"--service-account-signing-key-file={sa_key}",
            "--service-cluster-ip-range=10.96.0.0/24", "--endpoint-reconciler-type=none", "--profiling=false"])
        context = ssl.create_default_context(cafile=self.tls["ca.crt"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{process.args[0]} exited with {process.returncode}; see {self.dir}")
            try:
                connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=2, context=context)
                connection.request("GET", "/readyz", headers={"Authorization": f"Bearer {self.token}"})
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"kube-apiserver was not ready within {timeout}s; see {self.dir}")

    def write_in_cluster_credentials(self):
        """The peer's rest.InClusterConfig() reads these fixed paths: only inside a private mount namespace, on a
        tmpfs that bench/run.sh mounted over /run there (the host's /run is never written)."""
        with open("/proc/self/mountinfo") as f:
            private_run = any(line.split()[4] == "/run" and line.split(" - ")[1].split()[:2] == ["tmpfs", "bench-run"]
                              for line in f)
        if not private_run:
            raise RuntimeError("refusing to write /var/run/secrets: /run is not bench/run.sh's private tmpfs "
                               "(run bench.py through bench/run.sh)")
        directory = "/var/run/secrets/kubernetes.io/serviceaccount"
        os.makedirs(directory, exist_ok=True)
        shutil.copy(self.tls["ca.crt"], os.path.join(directory, "ca.crt"))
        for name, value in (("token", self.token), ("namespace", "vault")):
            with open(os.path.join(directory, name), "w") as f:
                f.write(value)
        return {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(self.port)}

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


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
        "labeler_source": {"measured": "in this run", "command": labeler.get("command"), "date": labeler.get("date"),
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
    parser.add_argument("--webhook-launcher", required=True,
                        help="the image's launcher, next to the webhook jar and its CDS archive")
    parser.add_argument("--container-jvm-flags", default="-XX:MaxRAM=320m -XX:ActiveProcessorCount=1",
                        help="what the Deployment's limits (320Mi, 1 CPU) make a container's JVM see")
    parser.add_argument("--extra-webhook-flags", default="",
                        help="appended to the webhook's JVM flags in all its runs (WEBHOOK_JAVA_OPTS), e.g. a JFR "
                             "recording or -XX:TieredStopAtLevel=4")
    parser.add_argument("--warm-up", type=int, default=80, help="seconds of load on the webhook before recording")
    parser.add_argument("--duration", type=int, default=10, help="seconds per throughput run")
    parser.add_argument("--latency-duration", type=int, default=15, help="seconds per fixed-rate run")
    parser.add_argument("--rounds", type=int, default=3, help="throughput runs per server and protocol (best counts)")
    parser.add_argument("--rates", default="200,2000")
    parser.add_argument("--starts", type=int, default=3, help="start-up measurements per server")
    parser.add_argument("--pin", action="store_true", help="pin the servers to CPU 0 and h2load to CPU 1")
    parser.add_argument("--peer-binary", help="vault-k8s: also measure its agent-inject (needs --control-plane)")
    parser.add_argument("--peer-version", default="", help="recorded with the figures")
    parser.add_argument("--control-plane", help="directory with etcd and kube-apiserver (e2e/control-plane.sh)")
    parser.add_argument("--sni", default="activemq-ha-webhook.activemq-ha.svc",
                        help="host name the start-to-review client sends (a DNS name of the certificate)")
    args = parser.parse_args()
    if args.peer_binary and not args.control_plane:
        parser.error("--peer-binary needs --control-plane")

    pin = args.pin and (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    rates = [int(r) for r in args.rates.split(",")]
    launcher_flags = subprocess.run([args.webhook_launcher, "--print-jvm-flags"], capture_output=True, text=True,
                                    check=True).stdout.split()
    container = args.container_jvm_flags.split()
    tls = {name: os.path.join(args.tls_dir, name) for name in ("ca.crt", "tls.crt", "tls.key")}
    work_dir = tempfile.mkdtemp(prefix="activemq-ha-bench-")
    load_before = loadavg()
    began = time.monotonic()

    def webhook_environment(extra=()):
        return {**os.environ, "WEBHOOK_JAR": os.path.abspath(args.webhook_jar),
                "WEBHOOK_JAVA_OPTS": " ".join([*container, *extra])}

    webhook_env = webhook_environment(args.extra_webhook_flags.split())

    def webhook_command(port):
        return pinned(0, [args.webhook_launcher, "serve", "--host", "127.0.0.1",
                          "--port", str(port), "--tls-cert", tls["tls.crt"], "--tls-key", tls["tls.key"],
                          "--provision-rbac=false"], pin)

    response_file = os.path.join(work_dir, "response.json")

    def baseline_command(port):
        return pinned(0, ["java", *launcher_flags, *container, "-jar", args.baseline_jar, "127.0.0.1", str(port), tls["tls.crt"],
                          tls["tls.key"], response_file], pin)

    def peer_command(port):
        # agent-inject as its Helm chart runs it, with the bench's certificate instead of -tls-auto (off) and the
        # shipped default logging; the Vault address is only written into the injected agent's config.
        return pinned(0, [args.peer_binary, "agent-inject", f"-listen=127.0.0.1:{port}",
                          f"-tls-cert-file={tls['tls.crt']}", f"-tls-key-file={tls['tls.key']}",
                          "-vault-address=https://vault.vault.svc:8200"], pin)

    with open(args.request, "rb") as f:
        request = f.read()
    servers = []
    control_plane = None
    try:
        # The webhook's answer to the request, so that the baseline answers exactly the same bytes.
        probe = Server("webhook-probe", webhook_command, tls["ca.crt"], work_dir, env=webhook_env)
        servers.append(probe)
        probe.start()
        # The first review after start-up runs in the interpreter and loads the model classes: the pod that meets
        # a fresh webhook waits this long (connection and TLS handshake included, as for the baseline below).
        began_first = time.monotonic()
        status, response = probe.post("/mutate", request)
        first_review_ms = (time.monotonic() - began_first) * 1000.0
        webhook_patch = injecting_answer("webhook", status, response)
        probe.stop()
        with open(response_file, "wb") as f:
            f.write(response)

        kinds = {"webhook": (webhook_command, {"env": webhook_env}), "baseline": (baseline_command, {})}
        peer_env = None
        if args.peer_binary:
            print("peer: starting etcd and kube-apiserver for vault-k8s' in-cluster client...", flush=True)
            control_plane = ControlPlane(args.control_plane, tls, work_dir)
            control_plane.start()
            peer_env = {**os.environ, **control_plane.write_in_cluster_credentials(), "GOMAXPROCS": "1"}
            kinds["peer"] = (peer_command, {"env": peer_env, "ready_path": "/health/ready"})

        print(f"start-up: {args.starts} starts per server...", flush=True)
        ready = {name: [] for name in kinds}
        to_review = {name: [] for name in kinds if name != "baseline"}
        for _ in range(args.starts):
            for name, (command, options) in kinds.items():
                server = Server(f"{name}-start", command, tls["ca.crt"], work_dir, **options)
                servers.append(server)
                ready[name].append(round(server.start()))
                server.stop()
                if name in to_review:
                    # spawn -> first injecting answer, through a client that sends SNI like the API server
                    server = Server(f"{name}-start-review", command, tls["ca.crt"], work_dir, **options)
                    servers.append(server)
                    to_review[name].append(round(server.start_to_review(request, args.sni)))
                    server.stop()

        webhook = Server("webhook", webhook_command, tls["ca.crt"], work_dir, env=webhook_env)
        baseline = Server("baseline", baseline_command, tls["ca.crt"], work_dir)
        pair = {"webhook": webhook, "baseline": baseline}
        if args.peer_binary:
            pair["peer"] = Server("peer", peer_command, tls["ca.crt"], work_dir, **kinds["peer"][1])
        servers += pair.values()
        for server in pair.values():
            server.start()
        began_first = time.monotonic()
        status, baseline_response = baseline.post("/mutate", request)
        baseline_first_ms = (time.monotonic() - began_first) * 1000.0
        if status != 200 or len(baseline_response) != len(response):
            raise RuntimeError("the baseline does not answer like the webhook")
        peer_first_ms = peer_patch = None
        if "peer" in pair:
            began_first = time.monotonic()
            status, peer_response = pair["peer"].post("/mutate", request)
            peer_first_ms = (time.monotonic() - began_first) * 1000.0
            peer_patch = injecting_answer("peer", status, peer_response)
        time.sleep(1)
        idle_rss_kib = {name: server.memory_kib()[0] for name, server in pair.items()}
        load = LoadGenerator(args.request, pin, work_dir)
        measured = [name for name in ("webhook", "peer") if name in pair]
        rss_max = {name: 0 for name in measured}

        def sampled(run):
            samplers = [RssSampler(pair[name]) for name in measured]
            for sampler in samplers:
                sampler.__enter__()
            try:
                return run()
            finally:
                for name, sampler in zip(measured, samplers):
                    sampler.__exit__(None, None, None)
                    rss_max[name] = max(rss_max[name], sampler.max_kib)

        # The review's code paths (Jackson, fabric8 model, JSON diff) need tens of thousands of requests before the
        # JIT has compiled them; the baseline's and the (compiled) peer's much fewer.
        print(f"warm-up: {args.warm_up}s of load on the webhook, {args.warm_up // 8}s per protocol on the others...",
              flush=True)
        for protocol in PROTOCOLS:
            for name, server in pair.items():
                share = args.warm_up * (3 if protocol == "h2" else 1) // 4 if name == "webhook" else args.warm_up // 8
                sampled(lambda: load.throughput(server, protocol, max(share, 2), 1))

        def rotated(items, n):
            n %= len(items)
            return items[n:] + items[:n]

        results = {}
        for protocol in PROTOCOLS:
            throughput = {name: [] for name in pair}
            cpu = {name: [] for name in pair}
            for round_no in range(args.rounds):
                for name, server in rotated(list(pair.items()), round_no):
                    run = sampled(lambda: load.throughput(server, protocol, args.duration, 2))
                    throughput[name].append(run["rps"])
                    cpu[name].append(run["cpu_ms_per_1000"])
                    print(f"  {protocol:8} {name:8} max throughput {run['rps']:9.1f} req/s, "
                          f"CPU {run['cpu_ms_per_1000']} ms per 1,000", flush=True)
            latency = {name: {} for name in pair}
            for rate_no, rate in enumerate(rates):
                for name, server in rotated(list(pair.items()), rate_no):
                    run = sampled(lambda: load.fixed_rate(server, protocol, rate, args.latency_duration, 2))
                    latency[name][str(rate)] = run
                    print(f"  {protocol:8} {name:8} at {rate:5} req/s: p50 {run['p50_ms']:.2f} p99 {run['p99_ms']:.2f} "
                          f"p99.9 {run['p999_ms']:.2f} ms (achieved {run['achieved_rps']} req/s), "
                          f"CPU {run['cpu_ms_per_1000']} ms per 1,000", flush=True)
            best = {name: max(values) for name, values in throughput.items()}
            results[protocol] = {
                "connections": PROTOCOLS[protocol]["connections"],
                "streams_per_connection": PROTOCOLS[protocol]["streams"],
                "webhook_rps": best["webhook"],
                "baseline_rps": best["baseline"],
                "rps_ratio": round(best["webhook"] / best["baseline"], 3),
                "throughput_runs": throughput,
                "cpu_ms_per_1000_runs": cpu,
                "latency": latency,
            }
            if "peer" in pair:
                results[protocol]["peer_rps"] = best["peer"]
                results[protocol]["webhook_to_peer_rps"] = round(best["webhook"] / best["peer"], 3)
        hwm = {name: pair[name].memory_kib()[1] for name in measured}
    finally:
        for server in servers:
            server.stop()
        if control_plane:
            control_plane.stop()

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
        "webhook_rss_mib": round(rss_max["webhook"] / 1024, 1),
        "webhook_hwm_mib": round(hwm["webhook"] / 1024, 1),
        "webhook_idle_rss_mib": round(idle_rss_kib["webhook"] / 1024, 1),
        "webhook_ready_ms": statistics.median(ready["webhook"]),
        "baseline_ready_ms": statistics.median(ready["baseline"]),
        "webhook_start_to_review_ms": statistics.median(to_review["webhook"]),
        "webhook_first_review_ms": round(first_review_ms, 1),
        "baseline_first_answer_ms": round(baseline_first_ms, 1),
        "webhook_cpu_ms_per_1000": min(headline["cpu_ms_per_1000_runs"]["webhook"]),
        "webhook_patch_ops": len(webhook_patch),
    }
    if args.peer_binary:
        low = str(min(rates))
        peer = {
            "peer": f"vault-k8s {args.peer_version} agent-inject".replace("  ", " "),
            "peer_rps": headline["peer_rps"],
            "peer_h1_rps": results["http/1.1"]["peer_rps"],
            "peer_p50_ms": headline["latency"]["peer"][high]["p50_ms"],
            "peer_p99_ms": headline["latency"]["peer"][high]["p99_ms"],
            "peer_low_rate_p99_ms": headline["latency"]["peer"][low]["p99_ms"],
            "peer_rss_mib": round(rss_max["peer"] / 1024, 1),
            "peer_hwm_mib": round(hwm["peer"] / 1024, 1),
            "peer_idle_rss_mib": round(idle_rss_kib["peer"] / 1024, 1),
            "peer_ready_ms": statistics.median(ready["peer"]),
            "peer_start_to_review_ms": statistics.median(to_review["peer"]),
            "peer_first_review_ms": round(peer_first_ms, 1),
            "peer_cpu_ms_per_1000": min(headline["cpu_ms_per_1000_runs"]["peer"]),
            "peer_patch_ops": len(peer_patch),
            "peer_gomaxprocs": 1,
        }
        peer["peer_ratios"] = {  # webhook / peer: above 1 means the webhook needs more (or serves more, for rps)
            "rps_h2": round(figures["webhook_rps"] / peer["peer_rps"], 3),
            "rps_h1": round(results["http/1.1"]["webhook_rps"] / peer["peer_h1_rps"], 3),
            "p99_ms_at_" + high: round(figures["webhook_p99_ms"] / peer["peer_p99_ms"], 2),
            "p99_ms_at_" + low: round(headline["latency"]["webhook"][low]["p99_ms"] / peer["peer_low_rate_p99_ms"], 2),
            "cpu_per_review": round(figures["webhook_cpu_ms_per_1000"] / peer["peer_cpu_ms_per_1000"], 2),
            "rss_idle": round(idle_rss_kib["webhook"] / idle_rss_kib["peer"], 2),
            "rss_peak": round(rss_max["webhook"] / rss_max["peer"], 2),
            "start_to_review": round(figures["webhook_start_to_review_ms"] / peer["peer_start_to_review_ms"], 2),
        }
        peer["peer_aims"] = {  # issue 16, parts 2 and 3: measured here, not fixed here
            "webhook_rss_at_most_2x_peer": peer["peer_ratios"]["rss_peak"] <= 2.0,
            "webhook_start_to_review_at_most_ms": 1000,
            "webhook_start_to_review_met": figures["webhook_start_to_review_ms"] <= 1000,
        }
        figures.update(peer)
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
        "start_to_review_ms_runs": to_review,
        "request_bytes": len(request),
        "response_bytes": len(response),
        "jvm_flags": {"webhook": " ".join([*launcher_flags, "(+ its CDS archive)", *container,
                                           *args.extra_webhook_flags.split()]),
                      "baseline": " ".join([*launcher_flags, *container])},
        "pinning": "servers on CPU 0, h2load on CPU 1" if pin else "none",
        "settings": {"warm_up_s": args.warm_up, "throughput_s": args.duration, "latency_s": args.latency_duration,
                     "rounds": args.rounds, "rates": rates},
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "elapsed_s": round(time.monotonic() - began),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "bench/run.sh" + (" --quick" if args.rounds == 1 and args.duration <= 3 else ""),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print_table(result)
    shutil.rmtree(work_dir, ignore_errors=True)


def print_table(r):
    peer = "peer_rps" in r
    print()
    print(f"{'':28}{'webhook':>12}{'baseline':>12}{'ratio/delta':>14}" + (f"{'peer':>12}{'webhook/peer':>14}" if peer else ""))

    def peer_cells(w, p, fmt):
        return f"{p:{fmt}}{w / p:14.2f}" if peer and p else ""

    for protocol, p in r["protocols"].items():
        print(f"{protocol + ' max req/s':28}{p['webhook_rps']:12.0f}{p['baseline_rps']:12.0f}{p['rps_ratio']:14.2f}"
              + peer_cells(p["webhook_rps"], p.get("peer_rps"), "12.0f"))
        for rate, w in p["latency"]["webhook"].items():
            b = p["latency"]["baseline"][rate]
            q = p["latency"].get("peer", {}).get(rate, {})
            for key, label in (("p50_ms", "p50"), ("p99_ms", "p99"), ("p999_ms", "p99.9")):
                print(f"{f'{protocol} {label} ms @{rate}/s':28}{w[key]:12.2f}{b[key]:12.2f}{w[key] - b[key]:+14.2f}"
                      + peer_cells(w[key], q.get(key), "12.2f"))
            print(f"{f'{protocol} CPU ms/1000 @{rate}/s':28}{w['cpu_ms_per_1000']:12.1f}{b['cpu_ms_per_1000']:12.1f}{'':14}"
                  + peer_cells(w["cpu_ms_per_1000"], q.get("cpu_ms_per_1000"), "12.1f"))
    print(f"{'CPU ms/1000 (h2 max, best)':28}{r['webhook_cpu_ms_per_1000']:12.1f}{'':26}"
          + peer_cells(r["webhook_cpu_ms_per_1000"], r.get("peer_cpu_ms_per_1000"), "12.1f"))
    print(f"{'ready ms (median)':28}{r['webhook_ready_ms']:12.0f}{r['baseline_ready_ms']:12.0f}{'':14}"
          + peer_cells(r["webhook_ready_ms"], r.get("peer_ready_ms"), "12.0f"))
    print(f"{'start -> 1st review ms (SNI)':28}{r['webhook_start_to_review_ms']:12.0f}{'':26}"
          + peer_cells(r["webhook_start_to_review_ms"], r.get("peer_start_to_review_ms"), "12.0f"))
    print(f"{'first request ms':28}{r['webhook_first_review_ms']:12.1f}{r['baseline_first_answer_ms']:12.1f}{'':14}"
          + peer_cells(r["webhook_first_review_ms"], r.get("peer_first_review_ms"), "12.1f"))
    print(f"{'RSS MiB idle':28}{r['webhook_idle_rss_mib']:12.1f}{'':26}"
          + peer_cells(r["webhook_idle_rss_mib"], r.get("peer_idle_rss_mib"), "12.1f"))
    print(f"{'RSS MiB peak under load':28}{r['webhook_rss_mib']:12.1f}{'':26}"
          + peer_cells(r["webhook_rss_mib"], r.get("peer_rss_mib"), "12.1f") + f"   (webhook HWM {r['webhook_hwm_mib']})")
    if "review_us" in r:
        print(f"{'review CPU us (no server)':28}{r['review_us']:12.1f}   (median of batches {r['review_us_median']})")
    print(f"{'labeler RSS MiB / start ms':28}{r['labeler_rss_mib']:12.1f}{r['labeler_start_ms']:12.0f}")
    aims = r["aims"]
    print(f"aim throughput >= 0.8 of baseline: {'met' if aims['rps_ratio_met'] else 'NOT met'} ({r['rps_ratio']}); "
          f"aim p99 within 1 ms ({r['headline']}): {'met' if aims['p99_delta_met'] else 'NOT met'} ({r['p99_delta_ms']:+} ms)")
    if peer:
        pa = r["peer_aims"]
        print(f"aim webhook RSS <= 2x peer: {'met' if pa['webhook_rss_at_most_2x_peer'] else 'NOT met'} "
              f"({r['peer_ratios']['rss_peak']}x); aim start -> first review <= 1 s: "
              f"{'met' if pa['webhook_start_to_review_met'] else 'NOT met'} ({r['webhook_start_to_review_ms']} ms)")
    print(f"load average before/after: {r['loadavg_before']} / {r['loadavg_after']} on {r['machine']['nproc']} CPUs")


if __name__ == "__main__":
    sys.exit(main())
