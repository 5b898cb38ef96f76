#!/usr/bin/python3
"""The long soak behind ci/soak.sh: runs one scenario with a long steady phase,
samples the generator (h2soak itself) from /proc beside the target (sampled
by h2soak), and judges both with the same growth rule.

Growth rule, for each process and each resource over the steady phase with
its first and last tenth trimmed (allocator warm-up, connection ramp-down):
  - RSS: the Theil-Sen slope times the window's length (the growth a straight
    line through the middle of the data predicts) must stay below
    max(16 MiB, 10 % of the median RSS) — a leak of a few KiB per second
    crosses it within the hour; allocator noise and a level shift do not;
  - threads and fds: the median of the window's last tenth minus the median
    of its first tenth must be at most 2.
The rule is the same for both processes and names no service's numbers.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time

MIB = 1024 * 1024
RSS_FLOOR = 16 * MIB
RSS_FRACTION = 0.10
COUNT_TOLERANCE = 2


def log(msg):
    print(f"soak: {msg}", flush=True)


def derive_scenario(src, minutes, dest):
    """The scenario with its steady phase set to MINUTES and 1 s sampling (a
    100 ms series over an hour is 36,000 points per resource)."""
    text = open(src, encoding="utf-8").read()
    text, n = re.subn(r"(?m)^(\s+steady:\s*)\S+", rf"\g<1>{minutes}m", text, count=1)
    if n != 1:
        sys.exit(f"soak: {src}: no 'steady:' phase to lengthen")
    text = re.sub(r"(?m)^(\s+interval:\s*)\d+ms\s*$", r"\g<1>1s", text, count=1)
    text = re.sub(r"(?m)^name:\s*(\S+)", r"name: \1_soak", text, count=1)
    with open(dest, "w", encoding="utf-8") as f:
        f.write(text)


def proc_figures(pid):
    """(rss bytes, threads, fds) of a live process, or None once it is gone."""
    try:
        rss = threads = None
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        if rss is None or threads is None:
            return None
        return rss, threads, fds
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def theil_sen(ts, ys, max_points=400):
    """Median of pairwise slopes (on an even subsample of at most max_points)."""
    if len(ts) < 3:
        return 0.0
    step = max(1, len(ts) // max_points)
    ts, ys = ts[::step], ys[::step]
    slopes = []
    for i in range(len(ts)):
        for j in range(i + 1, len(ts)):
            if ts[j] > ts[i]:
                slopes.append((ys[j] - ys[i]) / (ts[j] - ts[i]))
    slopes.sort()
    return slopes[len(slopes) // 2] if slopes else 0.0


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2] if s else 0


def judge(name, ts, rss, threads, fds):
    """The growth rule over one process's steady window (already trimmed)."""
    out = {"process": name, "samples": len(ts)}
    if len(ts) < 10:
        out["verdict"] = "too few samples"
        out["grew"] = True
        return out
    span = ts[-1] - ts[0]
    tenth = max(1, len(ts) // 10)
    slope = theil_sen(ts, rss)
    grown = slope * span
    limit = max(RSS_FLOOR, RSS_FRACTION * median(rss))
    out.update({
        "window_s": round(span, 1),
        "rss_start_mib": round(median(rss[:tenth]) / MIB, 1),
        "rss_end_mib": round(median(rss[-tenth:]) / MIB, 1),
        "rss_peak_mib": round(max(rss) / MIB, 1),
        "rss_slope_kib_per_s": round(slope / 1024, 3),
        "rss_growth_mib": round(grown / MIB, 2),
        "rss_limit_mib": round(limit / MIB, 1),
        "threads_start": median(threads[:tenth]), "threads_end": median(threads[-tenth:]),
        "threads_peak": max(threads),
        "fds_start": median(fds[:tenth]), "fds_end": median(fds[-tenth:]), "fds_peak": max(fds),
    })
    problems = []
    if grown > limit:
        problems.append(f"RSS grew {grown / MIB:.1f} MiB over {span / 60:.0f} min (limit {limit / MIB:.1f} MiB)")
    for what in ("threads", "fds"):
        d = out[f"{what}_end"] - out[f"{what}_start"]
        if d > COUNT_TOLERANCE:
            problems.append(f"{what} grew by {d} (limit {COUNT_TOLERANCE})")
    out["grew"] = bool(problems)
    out["verdict"] = "; ".join(problems) if problems else "flat"
    return out


def trimmed(ts, *series, start, end):
    """Samples with start + 10 % <= t <= end - 10 % of the window."""
    cut = 0.1 * (end - start)
    keep = [i for i, t in enumerate(ts) if start + cut <= t <= end - cut]
    return [ts[i] for i in keep], *[[s[i] for i in keep] for s in series]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--scenario", required=True)
    p.add_argument("--minutes", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("rest", nargs="*")
    a = p.parse_args()

    h2soak = os.path.join(a.build, "harness", "cli", "h2soak")
    derived = os.path.join(a.out, "soak.yaml")
    derive_scenario(a.scenario, a.minutes, derived)
    env = dict(os.environ, H2SOAK_TARGET_BIN=os.path.join(a.build, "target_server", "h2soak-target"))
    cmd = [h2soak, "run", derived, "--out", a.out, "-q", *a.rest]
    log(f"{os.path.basename(a.scenario)} with {a.minutes} min steady -> {a.out}")
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=open(os.path.join(a.out, "h2soak.out"), "w"),
                            stderr=subprocess.STDOUT)
    gen = []  # (t, rss, threads, fds)
    next_report = started + 60
    with open(os.path.join(a.out, "generator.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t", "rss_bytes", "threads", "fds"])
        while proc.poll() is None:
            fig = proc_figures(proc.pid)
            now = time.monotonic()
            if fig:
                gen.append((now - started, *fig))
                w.writerow([f"{now - started:.2f}", *fig])
            if now >= next_report:
                last = gen[-1] if gen else (0, 0, 0, 0)
                log(f"{(now - started) / 60:.0f} min: generator RSS {last[1] / MIB:.1f} MiB, "
                    f"{last[2]} threads, {last[3]} fds")
                next_report += 60
                f.flush()
            time.sleep(1.0)
    ended = time.monotonic() - started
    code = proc.returncode
    log(f"h2soak exited {code} after {ended / 60:.1f} min")

    results = [os.path.join(a.out, n) for n in os.listdir(a.out) if n.endswith(".json") and n != "soak.json"]
    if not results:
        log("no result file: the run did not complete")
        return 3
    result = json.load(open(results[0]))
    phases = {ph["name"]: ph for ph in result["phases"]}
    steady = phases.get("steady")
    if steady is None or result["status"]["state"] != "completed":
        log(f"the run did not complete: {result['status']}")
        return 3

    s = result["target"]["samples"]
    t_ts, t_rss, t_thr, t_fds = trimmed(s["t"], s["rss"], s["threads"], s["fds"],
                                        start=steady["start"], end=steady["end"])
    target = judge("target", t_ts, t_rss, t_thr, t_fds)

    # The generator's clock starts at its launch; the plan's time zero comes
    # later (spawn, readiness). The run ends a few seconds after the cooldown,
    # so the steady window is placed back from the exit, then trimmed.
    cooldown = phases["cooldown"]["end"] - phases["cooldown"]["start"] if "cooldown" in phases else 0
    g_end = gen[-1][0] - cooldown if gen else 0
    g_start = g_end - (steady["end"] - steady["start"])
    g_ts, g_rss, g_thr, g_fds = trimmed([g[0] for g in gen], [g[1] for g in gen], [g[2] for g in gen],
                                        [g[3] for g in gen], start=g_start, end=g_end)
    generator = judge("generator", g_ts, g_rss, g_thr, g_fds)

    report = {"scenario": os.path.relpath(a.scenario), "steady_minutes": a.minutes, "h2soak_exit": code,
              "requests": result["analysis"].get("requests", {}).get("value"),
              "rule": {"rss": f"Theil-Sen growth over the trimmed steady window <= max({RSS_FLOOR // MIB} MiB, "
                              f"{RSS_FRACTION:.0%} of the median)",
                       "threads_fds": f"last-tenth median - first-tenth median <= {COUNT_TOLERANCE}"},
              "target": target, "generator": generator}
    tmp = os.path.join(a.out, "soak.json.tmp")
    with open(tmp, "w") as f:
        json.dump(report, f, indent=2)
    os.replace(tmp, os.path.join(a.out, "soak.json"))
    for r in (target, generator):
        log(f"{r['process']:9}: {r['verdict']} — RSS {r.get('rss_start_mib')} -> {r.get('rss_end_mib')} MiB "
            f"(peak {r.get('rss_peak_mib')}, slope {r.get('rss_slope_kib_per_s')} KiB/s), threads "
            f"{r.get('threads_start')} -> {r.get('threads_end')}, fds {r.get('fds_start')} -> {r.get('fds_end')}")
    log(f"h2soak's own verdict on the target: exit {code} (see {a.out}/h2soak.out)")
    return 1 if target["grew"] or generator["grew"] else 0


if __name__ == "__main__":
    sys.exit(main())
