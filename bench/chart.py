#!/usr/bin/env python3
"""Draws bench/results/latest.json as an SVG: max throughput per protocol (left) and latency at fixed rates
(right: bar = p99, whisker from p50 to p99.9, log scale), webhook against baseline and, when measured, the peer
(vault-k8s agent-inject).

Usage: bench/chart.py bench/results/latest.json bench/results/latest.svg
       bench/chart.py --markdown bench/results/latest.json   (the table for BENCHMARKS.md)
"""
import json
import math
import sys
from html import escape

WEBHOOK = "#d9480f"
BASELINE = "#1c7ed6"
PEER = "#2b8a3e"
FONT = 'font-family="Helvetica,Arial,sans-serif"'


def text(x, y, content, size=12, anchor="middle", weight="normal", fill="#212529"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{fill}">{escape(str(content))}</text>')


def rect(x, y, w, h, fill):
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>'


def line(x1, y1, x2, y2, stroke="#adb5bd", width=1):
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"/>'


def nice_ceiling(value):
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def throughput_panel(result, x0, y0, width, height):
    parts = [text(x0 + width / 2, y0 - 14, "Max throughput (req/s, higher is better)", 14, weight="bold")]
    protocols = list(result["protocols"].items())
    top = nice_ceiling(max(max(p["webhook_rps"], p["baseline_rps"], p.get("peer_rps", 0)) for _, p in protocols) * 1.1)
    for i in range(6):
        value = top * i / 5
        y = y0 + height - height * i / 5
        parts += [line(x0, y, x0 + width, y, "#e9ecef"), text(x0 - 6, y + 4, f"{value:,.0f}", 11, "end")]
    group = width / len(protocols)
    bar = group / 4
    for index, (name, p) in enumerate(protocols):
        gx = x0 + index * group + group / 2
        bars = [(-bar, p["webhook_rps"], WEBHOOK), (0, p["baseline_rps"], BASELINE)]
        if "peer_rps" in p:
            bars = [(-1.5 * bar, p["webhook_rps"], WEBHOOK), (-0.5 * bar, p["baseline_rps"], BASELINE),
                    (0.5 * bar, p["peer_rps"], PEER)]
        for offset, value, color in bars:
            h = height * value / top
            parts += [rect(gx + offset, y0 + height - h, bar * 0.95, h, color),
                      text(gx + offset + bar / 2, y0 + height - h - 4, f"{value:,.0f}", 11)]
        parts += [text(gx, y0 + height + 18, name, 12, weight="bold"),
                  text(gx, y0 + height + 34, f"webhook/baseline = {p['rps_ratio']:.2f}", 11)]
    parts.append(line(x0, y0 + height, x0 + width, y0 + height, "#495057"))
    return parts


def latency_panel(result, x0, y0, width, height):
    parts = [text(x0 + width / 2, y0 - 14, "Latency at fixed rates (ms, log scale; bar p99, whisker p50-p99.9)", 14,
                  weight="bold")]
    groups = []
    for name, p in result["protocols"].items():
        for rate in p["latency"]["webhook"]:
            groups.append((f"{name} @ {int(rate):,}/s", p["latency"]["webhook"][rate], p["latency"]["baseline"][rate],
                           p["latency"].get("peer", {}).get(rate)))
    values = [v for _, w, b, q in groups for run in (w, b, q) if run for v in (run["p50_ms"], run["p999_ms"])]
    low = 10 ** math.floor(math.log10(max(min(values), 0.01)))
    high = 10 ** math.ceil(math.log10(max(values)))
    span = math.log10(high) - math.log10(low)

    def y_of(value):
        return y0 + height - height * (math.log10(max(value, low)) - math.log10(low)) / span

    decade = low
    while decade <= high * 1.0001:
        y = y_of(decade)
        parts += [line(x0, y, x0 + width, y, "#e9ecef"), text(x0 - 6, y + 4, f"{decade:g}", 11, "end")]
        decade *= 10
    group = width / len(groups)
    bar = group / 4
    for index, (label, w, b, q) in enumerate(groups):
        gx = x0 + index * group + group / 2
        bars = ((-bar, w, WEBHOOK), (0, b, BASELINE)) if not q else \
            ((-1.5 * bar, w, WEBHOOK), (-0.5 * bar, b, BASELINE), (0.5 * bar, q, PEER))
        for offset, run, color in bars:
            top = y_of(run["p99_ms"])
            cx = gx + offset + bar * 0.475
            parts += [rect(gx + offset, top, bar * 0.95, y0 + height - top, color),
                      line(cx, y_of(run["p50_ms"]), cx, y_of(run["p999_ms"]), "#212529", 1.5),
                      line(cx - 4, y_of(run["p999_ms"]), cx + 4, y_of(run["p999_ms"]), "#212529", 1.5),
                      line(cx - 4, y_of(run["p50_ms"]), cx + 4, y_of(run["p50_ms"]), "#212529", 1.5),
                      text(cx, min(top, y_of(run["p999_ms"])) - 5, f"{run['p99_ms']:.2f}", 10)]
        parts.append(text(gx, y0 + height + 18, label, 11, weight="bold"))
        if w["achieved_rps"] < 0.95 * w["target_rps"]:
            # Past its capacity the webhook queues: the percentiles then describe a server that could not keep up.
            parts.append(text(gx, y0 + height + 33, f"webhook kept up with {w['achieved_rps']:,.0f}/s", 10,
                              fill=WEBHOOK))
    parts.append(line(x0, y0 + height, x0 + width, y0 + height, "#495057"))
    return parts


def render(result):
    width, height = 1100, 470
    machine = result["machine"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">', rect(0, 0, width, height, "#ffffff"),
             text(width / 2, 26, "activemq-ha webhook vs. do-nothing Vert.x TLS baseline"
                  + (f" and {result['peer']} (GOMAXPROCS=1)" if "peer" in result else ""), 17, weight="bold"),
             text(width / 2, 46, f"{machine['nproc']} CPUs ({machine['cpu']}), {machine['java']}; pinning: {result['pinning']}; "
                                 f"load average {result['loadavg_before'][0]} before, {result['loadavg_after'][0]} after; "
                                 f"{result['date']}", 11, fill="#495057")]
    parts += throughput_panel(result, 90, 100, 340, 280)
    parts += latency_panel(result, 540, 100, 530, 280)
    legend_y = height - 24
    parts += [rect(280, legend_y - 10, 12, 12, WEBHOOK), text(298, legend_y, "webhook (review + patch)", 12, "start"),
              rect(480, legend_y - 10, 12, 12, BASELINE),
              text(498, legend_y, f"baseline (precomputed {result['response_bytes']}-byte answer)", 12, "start")]
    if "peer" in result:
        parts += [rect(780, legend_y - 10, 12, 12, PEER), text(798, legend_y, f"peer: {result['peer']}", 12, "start")]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def markdown(r):
    """The figures as the Markdown table BENCHMARKS.md shows."""
    rows = ["| | webhook | baseline | webhook/baseline or difference |", "| --- | ---: | ---: | ---: |"]
    for protocol, p in r["protocols"].items():
        rows.append(f"| {protocol}: max throughput (req/s) | {p['webhook_rps']:,.0f} | {p['baseline_rps']:,.0f} "
                    f"| {p['rps_ratio']:.2f} |")
        for rate, w in p["latency"]["webhook"].items():
            b = p["latency"]["baseline"][rate]
            kept = "" if w["achieved_rps"] >= 0.95 * w["target_rps"] else f" (webhook kept up with {w['achieved_rps']:,.0f}/s)"
            rows.append(f"| {protocol} @ {int(rate):,} req/s{kept}: p50 / p99 / p99.9 (ms) "
                        f"| {w['p50_ms']:.2f} / {w['p99_ms']:.2f} / {w['p999_ms']:.2f} "
                        f"| {b['p50_ms']:.2f} / {b['p99_ms']:.2f} / {b['p999_ms']:.2f} "
                        f"| p99 {w['p99_ms'] - b['p99_ms']:+.2f} |")
    rows.append(f"| spawn -> `/readyz` 200 (ms, median of {len(r['ready_ms_runs']['webhook'])}) "
                f"| {r['webhook_ready_ms']:.0f} | {r['baseline_ready_ms']:.0f} | |")
    if "webhook_first_review_ms" in r:
        rows.append(f"| first request after ready, TLS handshake included (ms) | {r['webhook_first_review_ms']:.1f} "
                    f"| {r['baseline_first_answer_ms']:.1f} | |")
    rows.append(f"| RSS under load, max VmRSS (MiB) | {r['webhook_rss_mib']} | | HWM {r['webhook_hwm_mib']}, "
                f"idle {r['webhook_idle_rss_mib']} |")
    if "review_us" in r:
        rows.append(f"| one review without the server, CPU (us, best / median batch) "
                    f"| {r['review_us']} / {r['review_us_median']} | 0 | |")
    if "peer_rps" in r:
        rows += ["", peer_markdown(r).rstrip("\n")]
    return "\n".join(rows) + "\n"


def peer_markdown(r):
    """Webhook against the peer (vault-k8s agent-inject), same request, same machine, alternating runs."""
    q = r["peer_ratios"]
    rows = [f"| | webhook | {r['peer']} | webhook / peer |", "| --- | ---: | ---: | ---: |"]
    for protocol, p in r["protocols"].items():
        rows.append(f"| {protocol}: max throughput (req/s) | {p['webhook_rps']:,.0f} | {p['peer_rps']:,.0f} "
                    f"| {p['webhook_to_peer_rps']:.2f} |")
        for rate, w in p["latency"]["webhook"].items():
            v = p["latency"]["peer"][rate]
            kept = "" if min(w["achieved_rps"], v["achieved_rps"]) >= 0.95 * w["target_rps"] else \
                f" (kept up with: webhook {w['achieved_rps']:,.0f}/s, peer {v['achieved_rps']:,.0f}/s)"
            rows.append(f"| {protocol} @ {int(rate):,} req/s{kept}: p50 / p99 / p99.9 (ms) "
                        f"| {w['p50_ms']:.2f} / {w['p99_ms']:.2f} / {w['p999_ms']:.2f} "
                        f"| {v['p50_ms']:.2f} / {v['p99_ms']:.2f} / {v['p999_ms']:.2f} | p99 {w['p99_ms'] / v['p99_ms']:.2f} |")
            rows.append(f"| {protocol} @ {int(rate):,} req/s: CPU per 1,000 reviews (ms) "
                        f"| {w['cpu_ms_per_1000']} | {v['cpu_ms_per_1000']} "
                        f"| {w['cpu_ms_per_1000'] / v['cpu_ms_per_1000']:.2f} |")
    rows += [f"| CPU per 1,000 reviews at h2 max throughput, best run (ms) | {r['webhook_cpu_ms_per_1000']} "
             f"| {r['peer_cpu_ms_per_1000']} | {q['cpu_per_review']:.2f} |",
             f"| spawn -> first injecting review, SNI client (ms, median of {len(r['start_to_review_ms_runs']['webhook'])}) "
             f"| {r['webhook_start_to_review_ms']:.0f} | {r['peer_start_to_review_ms']:.0f} | {q['start_to_review']:.2f} |",
             f"| first review after ready (ms) | {r['webhook_first_review_ms']:.1f} | {r['peer_first_review_ms']:.1f} | |",
             f"| RSS idle, after the first review (MiB) | {r['webhook_idle_rss_mib']} | {r['peer_idle_rss_mib']} "
             f"| {q['rss_idle']:.2f} |",
             f"| RSS peak under load, max VmRSS (MiB) | {r['webhook_rss_mib']} | {r['peer_rss_mib']} | {q['rss_peak']:.2f} |",
             f"| JSON patch operations in the answer | {r['webhook_patch_ops']} | {r['peer_patch_ops']} | |"]
    return "\n".join(rows) + "\n"


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        with open(sys.argv[2]) as f:
            print(markdown(json.load(f)), end="")
        return 0
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        result = json.load(f)
    with open(sys.argv[2], "w") as f:
        f.write(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
