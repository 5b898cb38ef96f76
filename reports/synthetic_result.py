#!/usr/bin/python3
"""Build a synthetic but schema-valid h2soak.result/v1 document.

Used by the tests of reports/ and py/, and handy for trying the plots without
running a load:  /usr/bin/python3 reports/synthetic_result.py out.json

The histogram encoding is re-implemented here from docs/result-schema.md on
purpose: the py tests check it against the C++ reader, so the document and the
code cannot drift apart silently.
"""
import argparse
import json
import math
import random
import sys

SCHEMA = "h2soak.result/v1"
SUB_BUCKETS = 1024
MAX_VALUE = 3_600_000_000


def bucket_index(value):
    """Bucket of `value` in the log-linear layout (docs/result-schema.md)."""
    v = min(int(value), MAX_VALUE)
    if v < 2 * SUB_BUCKETS:
        return v
    k = v.bit_length() - 1
    shift = k - 10
    sub = (v >> shift) - SUB_BUCKETS
    return 2 * SUB_BUCKETS + (k - 11) * SUB_BUCKETS + sub


BUCKET_COUNT = bucket_index(MAX_VALUE) + 1


def _percentile(sorted_values, p):
    if not sorted_values:
        return 0
    if p >= 100:
        return sorted_values[-1]
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values) - 1e-9))
    return sorted_values[rank - 1]


def histogram(values, unit="us"):
    """The JSON form of a histogram of integer `values`."""
    values = sorted(min(int(v), MAX_VALUE) for v in values)
    counts = {}
    for v in values:
        i = bucket_index(v)
        counts[i] = counts.get(i, 0) + 1
    n = len(values)
    mean = sum(values) / n if n else 0.0
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / n) if n else 0.0
    return {
        "unit": unit,
        "count": n,
        "min": values[0] if n else 0,
        "max": values[-1] if n else 0,
        "sum": float(sum(values)),
        "saturated": 0,
        "buckets": [[i, counts[i]] for i in sorted(counts)],
        "summary": {
            "count": n, "min": values[0] if n else 0, "max": values[-1] if n else 0,
            "mean": mean, "sd": sd,
            "p50": _percentile(values, 50), "p90": _percentile(values, 90),
            "p99": _percentile(values, 99), "p99.9": _percentile(values, 99.9),
            "p99.99": _percentile(values, 99.99),
        },
    }


def counters(done, errors=0):
    ok = done - errors
    return {
        "requests": {"started": done, "done": done, "succeeded": ok, "failed": 0,
                     "errored": errors, "timeout": 0, "dropped": 0},
        "status": {"1xx": 0, "2xx": ok, "3xx": 0, "4xx": 0, "5xx": 0, "other": 0},
        "errors": {"connect": 0, "tls": 0, "rst_stream": errors, "goaway": 0, "timeout": 0,
                   "protocol": 0, "peer_closed": 0, "other": 0},
        "rst_stream_codes": {"CANCEL": errors} if errors else {},
        "bytes": {"in_headers": done * 30, "in_data": done * 2048, "in_total": done * 2100,
                  "out": done * 40},
        "connections": {"opened": 8, "failed": 0, "closed": 8},
    }


def walsh_pattern(row, slots, order):
    """Workload `row`'s on/off pattern of an attribution run (harness/scenario/plan.cc)."""
    return "".join("+" if bin(row & (s % order)).count("1") % 2 == 0 else "-" for s in range(slots))


def on_seconds(pattern, start, slot, x):
    """Seconds before `x` in which a workload with `pattern` from `start` was on."""
    return sum(min(max(x - (start + i * slot), 0.0), slot) for i, c in enumerate(pattern) if c == "+")


def make_result(seed=1, scenario="synthetic", leak_bytes_per_s=0.0, latency_scale=1.0,
                warmup=5.0, steady=30.0, cooldown=5.0, rate=400, with_verdict=True, attribution=False):
    """A complete result: one `bench` workload, phases, samples, analysis, verdict.

    attribution=True makes it an attribution run (docs/attribution.md): also an
    `upload` and an `sse` workload, a `modulation` schedule over steady, RSS
    that grows by `leak_bytes_per_s` only while `upload` is on, and
    `attribution.*` analysis metrics that blame the uploads (and the sse
    streams for go_goroutines).
    """
    rng = random.Random(seed)
    slot, order = 3.0, 4
    slots = int(steady // slot) // order * order
    patterns = {name: walsh_pattern(row, slots, order) for row, name in enumerate(("bench", "upload", "sse"), 1)}
    total = warmup + steady + cooldown
    phases = [
        {"name": "warmup", "start": 0.0, "end": warmup},
        {"name": "steady", "start": warmup, "end": warmup + steady},
        {"name": "cooldown", "start": warmup + steady, "end": total},
    ]
    workload_phases = []
    for ph in phases[:2]:
        secs = int(ph["end"] - ph["start"])
        done = [int(rate * rng.uniform(0.9, 1.1)) for _ in range(secs)]
        n = sum(done)
        lat = [rng.lognormvariate(math.log(1500 * latency_scale), 0.8) for _ in range(n)]
        ttfb = [x * 0.6 for x in lat]
        start_second = int(ph["start"])
        workload_phases.append({
            "phase": ph["name"],
            "counters": counters(n, errors=1 if ph["name"] == "steady" else 0),
            "histograms": {
                "request_total": histogram(lat),
                "ttfb": histogram(ttfb),
                "connect": histogram([rng.uniform(80, 200) for _ in range(8)]),
                "tls_handshake": histogram([]),
            },
            "extra_histograms": {},
            "extra_counters": {},
            "series": {
                "start_second": start_second,
                "requests_done": done,
                "errors": [0] * secs,
                "bytes_in": [d * 2100 for d in done],
                "bytes_out": [d * 40 for d in done],
                "in_flight": [rng.randint(10, 16) for _ in range(secs)],
                "overflow": 0,
            },
        })
    interval = 0.1
    t = [round(i * interval, 3) for i in range(int(total / interval))]
    rss, threads, fds, utime, stime, goroutines = [], [], [], [], [], []
    base = 50 * 2**20
    cpu_u = cpu_s = 0.0
    for x in t:
        in_load = x < warmup + steady
        if attribution:
            grown = leak_bytes_per_s * on_seconds(patterns["upload"], warmup, slot, x)
        else:
            grown = leak_bytes_per_s * min(max(x - warmup, 0.0), steady)
        rss.append(int(base + (8 * 2**20 if in_load and x > 1 else 0) + grown + rng.uniform(0, 2**19)))
        threads.append(4)
        fds.append(8 + (16 if in_load and x > 0.5 else 0))
        cpu_u += interval * (0.4 if in_load else 0.01) * rng.uniform(0.8, 1.2)
        cpu_s += interval * (0.2 if in_load else 0.005) * rng.uniform(0.8, 1.2)
        utime.append(round(cpu_u, 2))  # /proc reports CPU in clock ticks (10 ms)
        stime.append(round(cpu_s, 2))
        goroutines.append(None if int(x * 10) % 10 else 12.0 + (x if leak_bytes_per_s else 0))
    samples = {
        "pid": 4242, "interval": interval, "pss_interval": 1.0, "scrape_interval": 1.0,
        "metrics_url": "http://127.0.0.1:8080/metrics", "gauge_names": ["go_goroutines"],
        "fds_readable": True, "scrape_failures": 0, "late_ticks": 0,
        "target_vanished": False, "vanished_at": -1, "phases": phases, "count": len(t),
        "t": t, "rss": rss, "hwm": [max(rss[: i + 1]) for i in range(len(rss))],
        "rss_anon": [r // 2 for r in rss], "pss": [r if i % 10 == 0 else 0 for i, r in enumerate(rss)],
        "threads": threads, "fds": fds, "utime": utime, "stime": stime,
        "gauges": {"go_goroutines": goroutines},
    }
    slope = leak_bytes_per_s + rng.uniform(-500, 500)
    doc = {
        "schema": SCHEMA,
        "metadata": {
            "h2soak_version": "0.1.0", "git_revision": "synthetic", "host": "testhost",
            "kernel": "Linux 6.1.0 #1 SMP x86_64", "cpu_count": 2, "cpu_model": "Synthetic CPU",
            "scenario_name": scenario, "scenario_hash": "sha256:synthetic", "scenario_path": "",
            "start_time": "2026-11-22T22:00:00.000Z", "start_unix": 1795384800.0,
            "duration": total, "command_line": ["h2soak", "run", scenario + ".yaml"], "extra": {},
        },
        "status": {"state": "completed", "reason": ""},
        "phases": phases,
        "histogram_encoding": {"kind": "log-linear", "sub_buckets": SUB_BUCKETS,
                               "max_value": MAX_VALUE, "bucket_count": BUCKET_COUNT},
        "workloads": [{"name": "bench", "kind": "bench", "params": {"clients": "8", "streams": "16"},
                       "phases": workload_phases}],
        "target": {"url": "http://127.0.0.1:8080/", "mode": "spawn", "command": "h2soak-target",
                   "pid": 4242, "log_path": "", "exit_code": 0, "exit_signal": None,
                   "samples": samples},
        "analysis": {
            "rss.slope": {"value": slope, "unit": "bytes/s", "direction": "lower",
                          "ci_low": slope - 800, "ci_high": slope + 800, "leak": True, "note": ""},
            "latency.p99": {"value": workload_phases[1]["histograms"]["request_total"]["summary"]["p99"],
                            "unit": "us", "direction": "lower", "ci_low": None, "ci_high": None,
                            "leak": False, "note": ""},
            "throughput": {"value": float(rate), "unit": "req/s", "direction": "higher",
                           "ci_low": None, "ci_high": None, "leak": False, "note": ""},
            "errors": {"value": 1.0, "unit": "count", "direction": "lower",
                       "ci_low": None, "ci_high": None, "leak": False, "note": ""},
        },
        "thresholds": ["errors < 10"],
        "verdict": [],
    }
    if attribution:
        add_attribution(doc, rate, leak_bytes_per_s, warmup, slot, slots, patterns)
    if with_verdict:
        doc["verdict"] = [
            {"metric": "rss.slope", "baseline": 100.0, "current": slope, "change": None,
             "limit": "CI overlaps baseline", "outcome": "regression" if leak_bytes_per_s > 1000 else "pass",
             "unit": "bytes/s"},
            {"metric": "latency.p99", "baseline": 6000.0,
             "current": doc["analysis"]["latency.p99"]["value"],
             "change": doc["analysis"]["latency.p99"]["value"] / 6000.0 - 1, "limit": "+10 %",
             "outcome": "pass", "unit": "us"},
        ]
    return doc


def add_attribution(doc, rate, leak_bytes_per_s, start, slot, slots, patterns):
    """Turn `doc` into an attribution run: workloads, schedule, attribution.* metrics."""
    bench = doc["workloads"][0]
    for name, kind in (("upload", "upload"), ("sse", "sse")):
        doc["workloads"].append({"name": name, "kind": kind, "params": {"clients": "4"},
                                 "phases": json.loads(json.dumps(bench["phases"]))})
    doc["modulation"] = {"start": start, "slot": slot, "slots": slots, "patterns": dict(patterns)}
    on_s = slot * slots / 2  # every pattern is on in half of the slots
    uploads, requests, streams = rate * on_s / 4, rate * on_s, rate * on_s / 100
    per_upload = max(leak_bytes_per_s, 1.0) * on_s / uploads
    upload_mib = 64 / 1024.0  # 64 KiB per upload

    def metric(value, low, high, unit, note):
        return {"value": value, "unit": unit, "direction": "none", "ci_low": low, "ci_high": high,
                "leak": False, "note": note}

    doc["analysis"].update({
        "attribution.rss.upload": metric(
            per_upload, per_upload * 0.93, per_upload * 1.07, "bytes/upload",
            f"97 % of the steady growth over {uploads:.0f} uploads; "
            f"{per_upload / upload_mib:.4g} bytes per MiB uploaded"),
        "attribution.rss.bench": metric(3.1, -40.2, 46.4, "bytes/request",
                                        f"1 % of the steady growth over {requests:.0f} requests"),
        "attribution.rss.sse": metric(-812.0, -2900.5, 1276.5, "bytes/stream",
                                      f"-2 % of the steady growth over {streams:.0f} streams"),
        "attribution.rss.(time)": metric(310.0, -1480.0, 2100.0, "bytes/s", "growth no event explains"),
        "attribution.threads.bench": metric(0.00002, -0.0003, 0.00034, "threads/request",
                                            f"0 % of the steady growth over {requests:.0f} requests"),
        "attribution.threads.upload": metric(-0.0001, -0.0012, 0.001, "threads/upload",
                                             f"-1 % of the steady growth over {uploads:.0f} uploads"),
        "attribution.threads.sse": metric(0.003, -0.02, 0.026, "threads/stream",
                                          f"2 % of the steady growth over {streams:.0f} streams"),
        "attribution.threads.(time)": metric(0.0004, -0.003, 0.0038, "threads/s", "growth no event explains"),
        "attribution.gauge.go_goroutines.sse": metric(
            1.002, 0.961, 1.043, "units/stream", f"99 % of the steady growth over {streams:.0f} streams"),
        "attribution.gauge.go_goroutines.bench": metric(
            0.0001, -0.0009, 0.0011, "units/request", f"1 % of the steady growth over {requests:.0f} requests"),
        "attribution.gauge.go_goroutines.upload": metric(
            -0.004, -0.05, 0.042, "units/upload", f"0 % of the steady growth over {uploads:.0f} uploads"),
        "attribution.gauge.go_goroutines.(time)": metric(0.01, -0.08, 0.1, "units/s", "growth no event explains"),
    })


def capacity_stage(offered, ceiling, rng, objectives_ms, with_target=True):
    """One stage of a synthetic capacity search against a service that serves
    at most `ceiling` req/s (one thread at 2 ms a page: 500): below it the
    latency is the service time, above it a queue grows and arrivals are
    dropped, as `h2soak capacity` sees the reference server."""
    load = offered / ceiling
    over = load > 1.0
    achieved = min(offered, ceiling) * rng.uniform(0.985, 1.0)
    service_us = 1e6 / ceiling
    if over:
        # A full queue: requests wait for c x m ahead of them.
        wait = 64 * service_us
        p50, p90, p99, p999 = wait * 0.9, wait * 0.97, wait * 1.02, wait * 1.05
    else:
        q = service_us * (1 + load / max(1e-3, 1 - load) * 0.3)
        p50, p90, p99, p999 = q * 1.3, q * 1.5, q * 1.8, q * 2.1
    seconds = 2.0
    requests = int(achieved * seconds)
    dropped = int(max(0.0, offered - achieved) * seconds * 1.2) if over else 0
    drop_rate = dropped / (requests + dropped) if requests + dropped else 0.0
    broken, detail = "", ""
    if drop_rate >= 0.001:
        broken = "drop_rate < 0.1%"
        detail = (f"{dropped} of the arrivals dropped ({100 * drop_rate:.3g} %), budget 0.1 %; "
                  f"achieved {achieved:.1f} req/s of {offered:.1f} offered")
    for text, limit_ms in objectives_ms:
        if p99 / 1000.0 >= limit_ms:
            broken = text
            detail = f"{text}: observed {p99 / 1000.0:.4g} ms" + ("; " + detail if detail else "")
            break
    stage = {
        "offered": float(offered), "achieved": achieved, "seconds": seconds, "requests": requests,
        "errors": 0, "dropped": dropped, "error_rate": 0.0, "drop_rate": drop_rate,
        "latency": {"p50": p50, "p90": p90, "p99": p99, "p999": p999},
        "passed": not broken, "broken": broken, "detail": detail,
        "stopped_early": over and load > 1.3, "generator_bound": False, "target": None,
    }
    if with_target:
        stage["target"] = {"cpu": min(load, 1.0) * rng.uniform(0.95, 1.0),
                           "rss_peak": int((9.5 + 1.5 * min(load, 1.2)) * 2**20),
                           "threads_peak": 2, "fds_peak": 14}
    return stage


def make_capacity_result(seed=1, ceiling=520.0, start_rate=100.0, growth=2.0, refine=3, max_rate=100_000.0,
                         objectives=("latency.p99 < 250ms", "error_rate < 0.1%"), with_target=True):
    """The result `h2soak capacity --json` writes (docs/capacity.md): no
    workloads or samples, the analysis metric `capacity` and the `capacity`
    section, from the same search as harness/run/capacity.cc (a geometric
    ramp, then `refine` bisections) over a service whose ceiling is
    `ceiling` req/s."""
    rng = random.Random(seed)
    limits = []
    for text in objectives:
        name, _, rest = text.partition("<")
        if name.strip() in ("latency.p99", "p99") and rest.strip().endswith("ms"):
            limits.append((text, float(rest.strip()[:-2])))
    stages = []

    def measure(rate):
        st = capacity_stage(rate, ceiling, rng, limits, with_target)
        stages.append(st)
        return st["passed"]

    low, high, rate = 0.0, math.nan, start_rate
    while True:
        if measure(rate):
            low = rate
            if rate >= max_rate:
                break
            rate = min(rate * growth, max_rate)
        else:
            high = rate
            break
    stop = "max-rate" if math.isnan(high) else "first-stage-failed" if low == 0 else "refined"
    if stop == "refined":
        for _ in range(refine):
            mid = (low + high) / 2
            if measure(mid):
                low = mid
            else:
                high = mid
    failing = [s for s in stages if not s["passed"] and s["offered"] == high]
    first_broken = failing[0]["broken"] if failing else ""
    notes = {"refined": f"bisected {refine} time(s) between {low:g} and {high:g} req/s",
             "max-rate": f"every stage up to {max_rate:g} req/s passed",
             "first-stage-failed": f"the first stage ({start_rate:g} req/s) already failed"}
    doc = make_result(seed=seed, scenario="capacity", with_verdict=False)
    doc["metadata"]["command_line"] = ["h2soak", "capacity", "http://127.0.0.1:8080/page/1"]
    doc["metadata"]["duration"] = 2.5 * len(stages)
    doc["metadata"]["extra"] = {"capacity.start_rate": f"{start_rate:g}/s", "capacity.max_rate": f"{max_rate:g}/s",
                                "capacity.stage": "2s", "capacity.warm_up": "500ms",
                                "capacity.growth": f"{growth:g}", "capacity.refine": str(refine),
                                "capacity.clients": "4", "capacity.max_streams": "16", "capacity.threads": "1",
                                "capacity.protocol": "h2"}
    doc["phases"], doc["workloads"], doc["thresholds"] = [], [], []
    doc["target"] = {"url": "http://127.0.0.1:8080/page/1", "mode": "pid" if with_target else "none",
                     "command": "", "pid": 4242 if with_target else 0, "log_path": "", "exit_code": None,
                     "exit_signal": None, "samples": None}
    doc["analysis"] = {"capacity": {
        "value": low, "unit": "req/s", "direction": "higher", "ci_low": None, "ci_high": None, "leak": False,
        "note": (f"interval [{low:g}, {'none failed' if math.isnan(high) else f'{high:g}'}] req/s; "
                 f"first broken objective: {first_broken or 'none'}; search ended: {stop}")}}
    doc["capacity"] = {"objectives": list(objectives), "capacity": low,
                       "interval": [low, None if math.isnan(high) else high], "first_broken": first_broken,
                       "stop": stop, "note": notes[stop], "stages": stages}
    return doc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output JSON file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--leak", type=float, default=0.0, help="RSS growth during steady, bytes/s")
    ap.add_argument("--scenario", default="synthetic")
    ap.add_argument("--attribution", action="store_true",
                    help="an attribution run: modulated workloads, the leak follows the uploads")
    ap.add_argument("--capacity", type=float, default=None, metavar="CEILING",
                    help="a capacity search (h2soak capacity) of a service that serves at most CEILING req/s")
    args = ap.parse_args(argv)
    if args.capacity is not None:
        doc = make_capacity_result(seed=args.seed, ceiling=args.capacity)
    else:
        doc = make_result(seed=args.seed, scenario=args.scenario, leak_bytes_per_s=args.leak,
                          attribution=args.attribution)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
