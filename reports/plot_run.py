#!/usr/bin/python3
"""Plot h2soak result files and write one self-contained HTML report.

Usage:
  /usr/bin/python3 reports/plot_run.py RESULT.json [RESULT.json ...]
        [--baseline FILE ...] [--verdict VERDICT.json] [--out DIR] [--title TEXT]
        [--b RESULT.json ...]

`h2soak run --report DIR` and `h2soak ab --report DIR` call it with the run's
results and verdict. With --b (an A/B report, `h2soak ab`): the positional
results are A's runs and --b's are B's; A is drawn in blues and B in oranges,
labelled "A 1", "B 1", ... so that each pair reads side by side.

Reads one or more result files (schema h2soak.result/v1, docs/result-schema.md)
and optionally a baseline: either a baseline file (schema h2soak.baseline/v1;
its per-metric min..max spread is drawn as a band) or result files of
reference runs (their series are drawn as a grey envelope), and optionally
the verdict `h2soak run --verdict-json` wrote (schema h2soak.verdict/v1),
shown first: every scenario x metric compared with the baseline, failures on
top, then the thresholds. Writes into DIR:

  resources.png   RSS, threads, open fds and CPU over time, phases shaded
  modulation.png  attribution runs only (results with "modulation"): each
                  workload's on/off slots during steady, under the RSS curve
                  of the same seconds
  gauges.png      scraped Prometheus gauges over time (only if any)
  generator.png   h2soak itself: each worker thread's busy share, how late
                  its timers fired, and its own RSS (results that have
                  "generator"); a saturated or late generator is warned
                  about on the page
  workloads.png   SSE time to first event and gaps between events, upload
                  throughput: percentiles per workload and phase (only if any)
  latency.png     latency percentiles per workload (steady phase)
  throughput.png  requests/s and errors/s over time
  report.html     everything above inlined (base64) + summary, analysis and
                  verdict tables; no external files needed

In report.html each result gets its tables: workloads, analysis, and, when it
has `attribution.<signal>.<workload>` metrics (docs/attribution.md), an
Attribution table of what one event of each workload leaves behind: per event,
95 % interval, share of the steady growth, "leaks" where the interval excludes
0; those rows first (largest share first), then the others, then the growth
per second no event explains. Attribution metrics are listed only there, not
in the analysis table.

Every file is written to a temporary name in DIR, synced and renamed into
place, so a write that fails part-way (disk full, read-only folder, killed)
leaves the older file of that name as it was.

A capacity search (`h2soak capacity --report DIR`: a result with a
"capacity" section, docs/capacity.md) gets its own page instead, written by
reports/capacity_report.py: the capacity, its interval, how the search ended
and the objective that broke first; the stages; knee.png (achieved rate,
latency percentiles with the objectives' limits, the target's CPU and RSS,
each against the offered rate). Such a result is reported alone: no --b,
--baseline or --verdict, no other result.

Exit codes: 0 written; 2 unreadable input (message names the file);
3 an output could not be written (message names the file).
Needs only Debian's python3-matplotlib and python3-numpy, not the h2soak module.
"""
import argparse
import html
import json
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import capacity_report  # noqa: E402
from report_html import (MIB, OutputError, fmt, images_section, save_figure, table,  # noqa: E402
                         write_page)

RESULT_SCHEMA = "h2soak.result/v1"
BASELINE_SCHEMA = "h2soak.baseline/v1"
VERDICT_SCHEMA = "h2soak.verdict/v1"
# Verdict rows in the order a reader wants them: what failed first.
STATUS_ORDER = {"REGRESSION": 0, "WARN": 1, "MISSING": 2, "NEW": 3, "IMPROVED": 4, "PASS": 5}
PHASE_COLORS = {"warmup": "#fff3cd", "steady": "#d4edda", "cooldown": "#d1ecf1"}
OTHER_PHASE_COLOR = "#eeeeee"
PERCENTILES = ["p50", "p90", "p99", "p99.9"]
# Attribution metrics (docs/attribution.md): attribution.<signal>.<workload>,
# where <signal> may itself contain dots (gauge.<name>) and a workload never does.
ATTRIBUTION_PREFIX = "attribution."
ATTRIBUTION_TIME = "(time)"
SIGNAL_ORDER = {"rss": 0, "threads": 1, "fds": 2}  # then gauges, by name
# "97 % of the steady growth ..." -> 97
SHARE_RE = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*%")


class InputError(Exception):
    """A file that is not a readable result or baseline."""


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: invalid JSON: {e.msg} at line {e.lineno}, column {e.colno}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), str):
        raise InputError(f"{path}: not an h2soak file (no \"schema\" field)")
    if doc["schema"] not in (RESULT_SCHEMA, BASELINE_SCHEMA, VERDICT_SCHEMA):
        raise InputError(f"{path}: unsupported schema \"{doc['schema']}\" "
                         f"(this script reads {RESULT_SCHEMA}, {BASELINE_SCHEMA} and {VERDICT_SCHEMA})")
    return doc


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def modulation_of(m):
    """An attribution run's schedule as {start, slot, slots, patterns}, or None.

    `patterns` maps each modulated workload to its "+-+-..." string, one
    character per slot. A missing or malformed schedule gives None: the report
    then simply has no schedule figure.
    """
    if not isinstance(m, dict) or not _number(m.get("start")) or not _number(m.get("slot")) or m["slot"] <= 0:
        return None
    patterns = m.get("patterns")
    if not isinstance(patterns, dict):
        return None
    patterns = {str(k): v for k, v in patterns.items() if isinstance(v, str) and v}
    if not patterns:
        return None
    slots = m.get("slots")
    if not _number(slots) or slots <= 0:
        slots = max(len(v) for v in patterns.values())
    return {"start": float(m["start"]), "slot": float(m["slot"]), "slots": int(slots), "patterns": patterns}


class Run:
    """One result file, with the bits the plots need."""

    def __init__(self, path, doc):
        if doc["schema"] != RESULT_SCHEMA:
            raise InputError(f"{path}: expected a result ({RESULT_SCHEMA}), got \"{doc['schema']}\"")
        self.path = path
        self.doc = doc
        self.label = os.path.splitext(os.path.basename(path))[0]
        self.color = None  # None: matplotlib's cycle; an A/B report colours by side
        try:
            self.meta = doc["metadata"]
            self.phases = doc.get("phases", [])
            self.workloads = doc.get("workloads", [])
            self.samples = (doc.get("target") or {}).get("samples")
            self.analysis = doc.get("analysis", {})
            self.verdict = doc.get("verdict", [])
            self.status = doc.get("status", {})
            self.modulation = modulation_of(doc.get("modulation"))
            self.generator = doc.get("generator") or None
        except (KeyError, TypeError, AttributeError) as e:
            raise InputError(f"{path}: malformed result: {e}") from e

    def column(self, name):
        if not self.samples or name not in self.samples:
            return None
        return np.asarray(self.samples[name], dtype=float)

    def per_second(self, field, phase_filter=None):
        """Sum of a per-second series over workloads (and phases) -> (seconds, values)."""
        total = {}
        for w in self.workloads:
            for p in w.get("phases", []):
                if phase_filter and p.get("phase") not in phase_filter:
                    continue
                s = p.get("series") or {}
                start = int(s.get("start_second", 0))
                for i, v in enumerate(s.get(field, [])):
                    total[start + i] = total.get(start + i, 0) + v
        if not total:
            return np.array([]), np.array([])
        secs = np.arange(0, max(total) + 1)
        return secs + 0.5, np.array([total.get(int(s), 0) for s in secs], dtype=float)


def shade_phases(ax, phases, label=True):
    for ph in phases:
        end = ph["end"] if ph.get("end", -1) >= 0 else ax.get_xlim()[1]
        color = PHASE_COLORS.get(ph["name"], OTHER_PHASE_COLOR)
        ax.axvspan(ph["start"], end, color=color, alpha=0.6, lw=0, zorder=0)
        if label:
            ax.text((ph["start"] + end) / 2, 1.0, ph["name"], transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8, color="#555555")


def cpu_percent(run):
    t, ut, st = run.column("t"), run.column("utime"), run.column("stime")
    if t is None or ut is None or st is None or len(t) < 2:
        return None, None
    cpu = ut + st
    dt = np.diff(t)
    dt[dt <= 0] = np.nan
    d = np.diff(cpu)
    d[d < 0] = np.nan  # a counter going back: the process was replaced
    # CPU counters tick in 10 ms steps; a 1 s moving average keeps the plot readable.
    pct = 100.0 * d / dt
    step = float(np.nanmedian(dt)) if len(dt) else 0
    window = int(round(1.0 / step)) if step and step < 1.0 else 1
    if window > 1 and len(pct) >= window:
        kernel = np.ones(window) / window
        pct = np.convolve(np.nan_to_num(pct), kernel, mode="same")
    return t[1:], pct


def baseline_envelope(baseline_runs, column, scale=1.0):
    """min/max of the baseline runs' series on a common time grid."""
    curves = []
    for b in baseline_runs:
        t, y = b.column("t"), b.column(column)
        if t is not None and y is not None and len(t) > 1:
            curves.append((t, y / scale))
    if not curves:
        return None
    end = min(c[0][-1] for c in curves)
    grid = np.linspace(0, end, 400)
    ys = np.array([np.interp(grid, t, y) for t, y in curves])
    return grid, ys.min(axis=0), ys.max(axis=0)


def baseline_metric_band(baseline_doc, scenario, metric):
    if not baseline_doc:
        return None
    sc = (baseline_doc.get("scenarios") or {}).get(scenario) or {}
    m = (sc.get("metrics") or {}).get(metric)
    if not m or "min" not in m or "max" not in m:
        return None
    return m["min"], m["max"], m.get("reference")


def plot_resources(runs, baseline_runs, baseline_doc, path):
    rows = [("rss", "RSS (MiB)", MIB, "rss.peak"), ("threads", "threads", 1.0, "threads.peak"),
            ("fds", "open fds", 1.0, "fds.peak")]
    fig, axes = plt.subplots(len(rows) + 1, 1, figsize=(11, 10), sharex=True)
    for ax, (col, title, scale, peak_metric) in zip(axes, rows):
        env = baseline_envelope(baseline_runs, col, scale)
        if env is not None:
            if len(baseline_runs) == 1:
                ax.plot(env[0], env[1], color="#888888", lw=1.0, label="baseline run", zorder=1)
            else:
                ax.fill_between(env[0], env[1], env[2], color="#999999", alpha=0.35,
                                label=f"baseline runs (min..max of {len(baseline_runs)})", zorder=1)
        for r in runs:
            t, y = r.column("t"), r.column(col)
            if t is not None and y is not None:
                ax.plot(t, y / scale, lw=1.2, label=r.label, color=r.color, zorder=2)
            if col == "rss":
                plot_slope_line(ax, r, t, y, scale)
                anon = r.column("rss_anon")
                if anon is not None and t is not None and len(runs) == 1:
                    ax.plot(t, anon / scale, lw=0.8, ls="--", label=f"{r.label} RssAnon", zorder=2)
        band = baseline_metric_band(baseline_doc, runs[0].meta.get("scenario_name"), peak_metric)
        if band:
            ax.axhspan(band[0] / scale, band[1] / scale, color="#6c757d", alpha=0.25,
                       label=f"baseline {peak_metric}", zorder=1)
        ax.set_ylabel(title)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
    ax = axes[-1]
    for r in runs:
        t, cpu = cpu_percent(r)
        if t is not None:
            ax.plot(t, cpu, lw=1.0, label=r.label, color=r.color)
    ax.set_ylabel("target CPU (%)")
    ax.set_xlabel("seconds since run start")
    ax.grid(True, alpha=0.3)
    for i, a in enumerate(axes):
        shade_phases(a, runs[0].phases, label=(i == 0))
    fig.suptitle("Target resources")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


def steady_window(run):
    """(start, end) in seconds of the run's steady phase, or None."""
    for p in run.phases:
        if p.get("phase") == "steady" or p.get("name") == "steady":
            start, end = p.get("start"), p.get("end")
            if start is not None and end is not None:
                return float(start), float(end)
    return None


def plot_slope_line(ax, run, t, y, scale):
    """The steady RSS slope the verdict judged (analysis rss.slope), drawn
    through the steady samples' mean: a leak is a line that climbs."""
    window = steady_window(run)
    slope = (run.analysis.get("rss.slope") or {}).get("value")
    if window is None or slope is None or t is None or y is None:
        return
    mask = (t >= window[0]) & (t <= window[1])
    if mask.sum() < 2:
        return
    tm, ym = t[mask].mean(), y[mask].mean()
    xs = np.array(window)
    ax.plot(xs, (ym + slope * (xs - tm)) / scale, ls=":", lw=1.6, color=run.color or "#d62728", zorder=3,
            label=f"{run.label} steady slope {fmt_rate(slope)}")


def fmt_rate(bytes_per_s):
    v = abs(bytes_per_s)
    unit = "B/s"
    for u, f in (("MiB/s", MIB), ("KiB/s", 1024.0)):
        if v >= f:
            return f"{bytes_per_s / f:+.1f} {u}"
    return f"{bytes_per_s:+.0f} {unit}"


# The workload-specific histograms worth a figure of their own (the name's
# suffix is its unit), as the result schema names them.
WORKLOAD_FIGURES = [
    ("sse.time_to_first_event_us", "SSE time to first event (ms)", 1e-3),
    ("sse.event_gap_us", "SSE gap between events (ms)", 1e-3),
    ("upload.throughput_kib_s", "upload throughput (MiB/s)", 1 / 1024.0),
]


def plot_workload_figures(runs, path):
    """Per-workload percentiles of SSE event gaps, time to first event and
    upload throughput, warm-up and steady; False when no run has them."""
    rows = []
    for hname, title, factor in WORKLOAD_FIGURES:
        groups = []
        for r in runs:
            for w in r.workloads:
                for p in w.get("phases", []):
                    h = (p.get("extra_histograms") or {}).get(hname)
                    if h and h.get("count", 0) > 0 and "summary" in h:
                        who = f"{r.label}\n" if len(runs) > 1 else ""
                        groups.append((f"{who}{w.get('name', '?')} {p.get('phase', '?')}", h["summary"], r.color))
        if groups:
            rows.append((title, factor, groups))
    if not rows:
        return False
    fig, axes = plt.subplots(len(rows), 1, figsize=(11, 3.2 * len(rows)), squeeze=False)
    for ax, (title, factor, groups) in zip(axes[:, 0], rows):
        x = np.arange(len(groups))
        width = 0.8 / len(PERCENTILES)
        for k, q in enumerate(PERCENTILES):
            vals = [s.get(q, 0) * factor for _, s, _ in groups]
            ax.bar(x + (k - (len(PERCENTILES) - 1) / 2) * width, vals, width, label=q)
        ax.set_xticks(x)
        ax.set_xticklabels([g[0] for g in groups], fontsize=8)
        ax.set_ylabel(title, fontsize=8)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=7, ncol=len(PERCENTILES))
    fig.suptitle("Workload figures: SSE and uploads (percentiles)")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return True


def plot_generator(runs, path):
    """The generator watching itself; False when no run has its figures."""
    runs = [r for r in runs if r.generator and r.generator.get("workers")]
    if not runs:
        return False
    fig, axes = plt.subplots(3, 1, figsize=(11, 7.5), sharex=True)
    for r in runs:
        prefix = f"{r.label} " if len(runs) > 1 else ""
        for i, w in enumerate(r.generator["workers"]):
            t = np.asarray(w.get("t", []), dtype=float)
            busy = np.asarray([np.nan if b is None else b for b in w.get("busy", [])], dtype=float)
            lag = np.asarray(w.get("lag_max", []), dtype=float)
            if len(t) and len(t) == len(busy) == len(lag):
                axes[0].plot(t, 100 * busy, lw=1.0, drawstyle="steps-pre", label=f"{prefix}worker {i}")
                axes[1].plot(t, lag / 1000.0, lw=1.0, drawstyle="steps-pre", label=f"{prefix}worker {i}")
        own = r.generator.get("samples") or {}
        if own.get("t") and own.get("rss"):
            axes[2].plot(own["t"], np.asarray(own["rss"], dtype=float) / MIB, lw=1.2, label=f"{prefix}h2soak RSS")
    axes[0].axhline(90, color="#c0392b", ls="--", lw=0.8, label="saturated (90 %)")
    axes[0].set_ylabel("worker busy (% of a core)")
    axes[1].axhline(20, color="#c0392b", ls="--", lw=0.8, label="late (20 ms)")
    axes[1].set_ylabel("worst timer lateness (ms)")
    axes[2].set_ylabel("h2soak RSS (MiB)")
    axes[2].set_xlabel("seconds since run start")
    for i, ax in enumerate(axes):
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        shade_phases(ax, runs[0].phases, label=(i == 0))
    fig.suptitle("The generator itself")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return True


def on_ranges(pattern, start, slot):
    """(from, length) in seconds of each run of '+' in a "+-+-..." pattern."""
    out = []
    for i, c in enumerate(pattern):
        if c != "+":
            continue
        at = start + i * slot
        if out and abs(out[-1][0] + out[-1][1] - at) < 1e-9:
            out[-1] = (out[-1][0], out[-1][1] + slot)
        else:
            out.append((at, slot))
    return out


def plot_modulation(runs, path):
    """The on/off schedule of attribution runs, each under its RSS curve."""
    mod_runs = [r for r in runs if r.modulation]
    if not mod_runs:
        return False
    axes_spec = []  # (run, kind, height in inches)
    for r in mod_runs:
        t, rss = r.column("t"), r.column("rss")
        if t is not None and rss is not None and len(t):
            axes_spec.append((r, "rss", 1.6))
        axes_spec.append((r, "schedule", 0.45 + 0.3 * len(r.modulation["patterns"])))
    heights = [h for _, _, h in axes_spec]
    fig, axes = plt.subplots(len(axes_spec), 1, figsize=(11, sum(heights) + 0.9),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    axes = axes[:, 0]
    order = {}
    for r in mod_runs:
        for i, w in enumerate(r.workloads):
            order.setdefault((r.path, w.get("name")), i)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (r, kind, _) in zip(axes, axes_spec):
        m = r.modulation
        lo, hi = m["start"], m["start"] + m["slots"] * m["slot"]
        title = f"{r.label}: " if len(mod_runs) > 1 else ""
        if kind == "rss":
            t, rss = r.column("t"), r.column("rss")
            # One sample either side, so the curve reaches both edges.
            inside = np.flatnonzero((t >= lo) & (t <= hi))
            if len(inside):
                sel = slice(max(inside[0] - 1, 0), min(inside[-1] + 2, len(t)))
                ax.plot(t[sel], rss[sel] / MIB, lw=1.0, color="#333333")
            ax.set_ylabel("RSS (MiB)", fontsize=8)
            ax.set_title(f"{title}RSS during the modulated slots", fontsize=9)
            ax.tick_params(labelbottom=False, labelsize=8)
        else:
            names = sorted(m["patterns"], key=lambda n: (order.get((r.path, n), len(order)), n))
            for i, name in enumerate(names):
                ax.broken_barh(on_ranges(m["patterns"][name], m["start"], m["slot"]), (i - 0.35, 0.7),
                               color=colors[i % len(colors)], lw=0)
            ax.set_yticks(range(len(names)))
            ax.set_yticklabels(names, fontsize=8)
            ax.set_ylim(len(names) - 0.5, -0.5)  # first workload on top
            ax.set_xlabel("seconds since run start (filled: workload on)", fontsize=8)
            ax.tick_params(labelsize=8)
            if not any(a[0] is r and a[1] == "rss" for a in axes_spec):
                ax.set_title(f"{title}on/off slots", fontsize=9)
        for k in range(m["slots"] + 1):
            ax.axvline(m["start"] + k * m["slot"], color="#cccccc", lw=0.5, zorder=0)
        ax.set_xlim(lo, hi)
        if kind == "rss":
            ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle("Attribution schedule", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return True


def plot_gauges(runs, path):
    names = []
    for r in runs:
        for n in ((r.samples or {}).get("gauges") or {}):
            if n not in names:
                names.append(n)
    if not names:
        return False
    fig, axes = plt.subplots(len(names), 1, figsize=(11, 2.8 * len(names)), sharex=True, squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        for r in runs:
            t = r.column("t")
            g = ((r.samples or {}).get("gauges") or {}).get(name)
            if t is None or g is None:
                continue
            y = np.array([np.nan if v is None else v for v in g], dtype=float)
            ok = ~np.isnan(y)
            ax.plot(t[ok], y[ok], marker=".", lw=1.0, label=r.label, color=r.color)
        ax.set_ylabel(name, fontsize=8)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper left", fontsize=8)
        shade_phases(ax, runs[0].phases, label=(ax is axes[0, 0]))
    axes[-1, 0].set_xlabel("seconds since run start")
    fig.suptitle("Scraped gauges")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
    return True


def latency_rows(run, phase="steady"):
    """[(workload, histogram name, summary)] for the given phase (falls back to all phases)."""
    rows = []
    for w in run.workloads:
        phases = [p for p in w.get("phases", []) if p.get("phase") == phase] or w.get("phases", [])[-1:]
        for p in phases:
            for hname in ("request_total", "ttfb"):
                h = (p.get("histograms") or {}).get(hname)
                if h and h.get("count", 0) > 0 and "summary" in h:
                    rows.append((w.get("name", "?"), hname, h["summary"]))
    return rows


def plot_latency(runs, baseline_doc, path):
    groups = []  # (label, summary)
    for r in runs:
        for wname, hname, s in latency_rows(r):
            groups.append((f"{r.label}\n{wname} {hname}" if len(runs) > 1 else f"{wname}\n{hname}", s))
    fig, ax = plt.subplots(figsize=(11, 5))
    if not groups:
        ax.text(0.5, 0.5, "no latency data", ha="center", va="center", transform=ax.transAxes)
    else:
        x = np.arange(len(groups))
        width = 0.8 / len(PERCENTILES)
        for k, p in enumerate(PERCENTILES):
            vals = [max(s.get(p, 0), 1) / 1000.0 for _, s in groups]
            ax.bar(x + (k - (len(PERCENTILES) - 1) / 2) * width, vals, width, label=p)
        ax.set_xticks(x)
        ax.set_xticklabels([g[0] for g in groups], fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("latency (ms, log scale)")
        band = baseline_metric_band(baseline_doc, runs[0].meta.get("scenario_name"), "latency.p99")
        if band:
            ax.axhspan(band[0] / 1000.0, band[1] / 1000.0, color="#6c757d", alpha=0.25, label="baseline p99")
        ax.legend(fontsize=8)
        ax.grid(True, axis="y", alpha=0.3, which="both")
    ax.set_title("Latency percentiles (steady phase)")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


def plot_throughput(runs, baseline_runs, path):
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(11, 6), sharex=True)
    for b in baseline_runs:
        t, y = b.per_second("requests_done")
        if len(t):
            ax1.plot(t, y, color="#999999", lw=0.8, alpha=0.7, label=f"baseline {b.label}")
    for r in runs:
        t, y = r.per_second("requests_done")
        if len(t):
            ax1.plot(t, y, lw=1.2, label=r.label, color=r.color)
        t, e = r.per_second("errors")
        if len(t):
            ax2.plot(t, e, lw=1.0, label=r.label, color=r.color)
    ax1.set_ylabel("requests/s")
    ax2.set_ylabel("errors/s")
    ax2.set_xlabel("seconds since run start")
    for i, ax in enumerate((ax1, ax2)):
        ax.grid(True, alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=8)
        shade_phases(ax, runs[0].phases, label=(i == 0))
    fig.suptitle("Throughput")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


def byte_scale(v):
    for name, scale in (("GiB", 2.0**30), ("MiB", MIB), ("KiB", 1024.0)):
        if abs(v) >= scale:
            return name, scale
    return "B", 1.0


def fmt_amount(v, unit, signed=False):
    """A value in a readable unit: bytes as B/KiB/MiB/GiB, others with 4 significant digits."""
    if not _number(v):
        return "–"
    sign = "+" if signed else ""
    if unit == "bytes":
        name, scale = byte_scale(v)
        return f"{v / scale:{sign}.4g} {name}"
    return f"{v:{sign}.4g} {unit}".strip()


def fmt_interval(lo, hi, unit):
    """"[a, b] unit", both ends in the unit of the larger one ("[-2.833, 1.247] KiB")."""
    if not _number(lo) or not _number(hi):
        return "–"
    name, scale = byte_scale(max(abs(lo), abs(hi))) if unit == "bytes" else (unit, 1.0)
    return f"[{lo / scale:.4g}, {hi / scale:.4g}] {name}".strip()


def split_attribution(name):
    """attribution.<signal>.<workload> -> (signal, workload); the workload is the last dotted word."""
    signal, _, workload = name[len(ATTRIBUTION_PREFIX):].rpartition(".")
    return signal, workload


def share_of(note):
    """The share at the start of an attribution note ("97 % of the steady growth ...") or None."""
    m = SHARE_RE.match(note or "")
    if not m:
        return None
    v = float(m.group(1))
    return v if math.isfinite(v) else None


def excludes_zero(a):
    lo, hi = a.get("ci_low"), a.get("ci_high")
    return _number(lo) and _number(hi) and (lo > 0 or hi < 0)


def attribution_rows(analysis):
    """[(cells, leaks)] of the Attribution table, in the order it shows them."""
    entries = []
    for name, a in (analysis or {}).items():
        if not name.startswith(ATTRIBUTION_PREFIX) or not isinstance(a, dict):
            continue
        signal, workload = split_attribution(name)
        unit = str(a.get("unit", ""))
        signal_unit, slash, event = unit.rpartition("/")
        if not slash:
            signal_unit, event = unit, ""
        timed = workload == ATTRIBUTION_TIME
        if timed and event == "s":
            event = "second"
        leaks = excludes_zero(a)
        share = share_of(a.get("note"))
        if timed:
            group, rank = 2, ()
        elif leaks:
            group, rank = 0, (-share if share is not None else math.inf,)
        else:
            group, rank = 1, ()
        key = (group, *rank, SIGNAL_ORDER.get(signal, len(SIGNAL_ORDER)), signal, workload)
        per_event = fmt_amount(a.get("value"), signal_unit, signed=True)
        if event and per_event != "–":
            per_event += f" per {event}"
        interval = fmt_interval(a.get("ci_low"), a.get("ci_high"), signal_unit)
        cells = [signal, "(no event: per second)" if timed else workload, per_event, interval,
                 a.get("note", ""), ("leaks" if (a.get("ci_low") or 0) > 0 else "frees") if leaks else "—"]
        entries.append((key, cells, leaks))
    entries.sort(key=lambda e: e[0])
    return [(cells, leaks) for _, cells, leaks in entries]


def attribution_section(run):
    rows = attribution_rows(run.analysis)
    if not rows:
        return ""
    m = run.modulation
    schedule = (f" ({m['slots']} slots of {m['slot']:g} s from second {m['start']:g} of the run; "
                "the schedule is drawn under Plots)" if m else "")
    intro = (f"During the steady phase the workloads were switched on and off in orthogonal patterns{schedule}, "
             "so each row is the change of the signal per event of that workload, with its 95 % interval; "
             "\"leaks\" marks an interval above 0 (\"frees\": below 0), and the last rows are the growth per second "
             "that no event explains.")
    return ("<h3>Attribution</h3>"
            f'<p class="explain">{html.escape(intro)}</p><div class="attribution">'
            + table(["Signal", "Workload", "Per event", "95 % interval", "Share / note", "Verdict"],
                    [cells for cells, _ in rows], ["leaks" if leaks else "" for _, leaks in rows])
            + "</div>")


def run_sections(run):
    m = run.meta
    parts = [f"<h2>{html.escape(run.label)}</h2>"]
    for w in (run.generator or {}).get("warnings", []):
        parts.append(f'<p class="warning"><b>Generator warning:</b> {html.escape(w)}</p>')
    state = run.status.get("state", "?")
    reason = run.status.get("reason", "")
    parts.append(table(["scenario", "status", "start", "duration", "host", "kernel", "h2soak"], [[
        m.get("scenario_name", ""), state + (f" ({reason})" if reason else ""), m.get("start_time", ""),
        fmt(m.get("duration"), "s"), f"{m.get('host', '')} ({m.get('cpu_count', '?')} CPUs)",
        m.get("kernel", ""), f"{m.get('h2soak_version', '')} {m.get('git_revision', '')}".strip()]]))
    extra = m.get("extra") or {}
    if extra.get("merged_from"):  # `h2soak merge`: which shard files, and whose samples
        parts.append(f"<p><b>Merged from {html.escape(extra['merged_from'])}:</b> "
                     f"{html.escape(extra.get('merged_sources', ''))}</p>")
    rows = []
    for w in run.workloads:
        for p in w.get("phases", []):
            c = (p.get("counters") or {}).get("requests", {})
            h = (p.get("histograms") or {}).get("request_total", {}).get("summary", {})
            secs = len((p.get("series") or {}).get("requests_done", [])) or 1
            rows.append([w.get("name", ""), w.get("kind", ""), p.get("phase", ""), c.get("done", 0),
                         c.get("succeeded", 0), c.get("failed", 0) + c.get("errored", 0) + c.get("timeout", 0),
                         c.get("dropped", 0), f"{c.get('done', 0) / secs:.1f}",
                         fmt(h.get("p50", 0) / 1000.0, "ms"), fmt(h.get("p99", 0) / 1000.0, "ms")])
    if rows:
        parts.append("<h3>Workloads</h3>")
        parts.append(table(["workload", "kind", "phase", "done", "succeeded", "failed+errored+timeout",
                            "dropped", "req/s", "p50", "p99"], rows))
    general = sorted(n for n in (run.analysis or {}) if not n.startswith(ATTRIBUTION_PREFIX))
    if general:
        rows = []
        for name in general:
            a = run.analysis[name]
            unit = a.get("unit", "")
            ci = ""
            if a.get("ci_low") is not None and a.get("ci_high") is not None:
                ci = f"[{fmt(a['ci_low'], unit)}, {fmt(a['ci_high'], unit)}]"
            rows.append([name, fmt(a.get("value"), unit), ci, a.get("direction", ""),
                         "yes" if a.get("leak") else "", a.get("note", "")])
        # Folded: a suite's analysis tables run to hundreds of rows and would
        # push the plots thousands of pixels down the page.
        parts.append("<h3>Analysis</h3>")
        parts.append(f"<details><summary>{len(rows)} metrics (open to read)</summary>")
        parts.append(table(["metric", "value", "interval", "better", "leak metric", "note"], rows))
        parts.append("</details>")
    parts.append(attribution_section(run))
    if run.verdict:
        rows, classes = [], []
        for v in run.verdict:
            unit = v.get("unit", "")
            change = v.get("change")
            rows.append([v.get("metric", ""), fmt(v.get("baseline"), unit), fmt(v.get("current"), unit),
                         "–" if change is None else f"{change * 100:+.1f} %", v.get("limit", ""),
                         v.get("outcome", "").upper()])
            classes.append(v.get("outcome", ""))
        parts.append("<h3>Verdict</h3>")
        parts.append(table(["metric", "baseline", "now", "change", "limit", "result"], rows, classes))
    return "".join(parts)


def verdict_section(verdict):
    """The verdict of the whole run as the first thing on the page."""
    parts = ["<h2>Verdict</h2>"]
    passed = verdict.get("passed", False)
    # The summary line says PASS or REGRESSION itself ("PASS: 0 regressions, ...").
    summary = verdict.get("summary") or ("PASS" if passed else "FAIL")
    parts.append(f'<p class="{"pass" if passed else "fail"}"><b>{html.escape(summary)}</b></p>')
    source = (verdict.get("baseline") or {}).get("source", "")
    if source:
        parts.append(f"<p>Baseline: {html.escape(source)}</p>")
    metrics = sorted(verdict.get("metrics", []),
                     key=lambda m: (STATUS_ORDER.get(m.get("status", ""), 9), m.get("scenario", ""), m.get("metric", "")))
    if metrics:
        rows, classes = [], []
        for m in metrics:
            unit = m.get("unit", "")
            pct = m.get("change_pct")
            rows.append([m.get("scenario", ""), m.get("metric", ""), fmt(m.get("baseline"), unit),
                         fmt(m.get("current"), unit), "–" if pct is None else f"{pct:+.1f} %",
                         fmt(m.get("limit"), unit), m.get("status", ""), m.get("reason", "")])
            classes.append(m.get("status", "").lower())
        parts.append(table(["scenario", "metric", "baseline", "now", "change", "limit", "verdict", "why"],
                           rows, classes))
    thresholds = sorted(verdict.get("thresholds", []), key=lambda t: (t.get("passed", False), t.get("scenario", "")))
    if thresholds:
        rows, classes = [], []
        for t in thresholds:
            unit = t.get("unit", "")
            rows.append([t.get("scenario", ""), t.get("expression", ""), fmt(t.get("observed"), unit),
                         "PASS" if t.get("passed") else "FAILED", t.get("detail", "")])
            classes.append("" if t.get("passed") else "failed")
        parts.append("<h3>Thresholds</h3>")
        parts.append(table(["scenario", "threshold", "observed", "result", "detail"], rows, classes))
    for note in verdict.get("notes", []):
        parts.append(f"<p class=\"note\">{html.escape(note)}</p>")
    return "".join(parts)


def write_html(path, title, runs, images, verdict=None):
    body = []
    overall = [v.get("outcome") for r in runs for v in r.verdict]
    if verdict is not None:
        body.append(verdict_section(verdict))
    elif overall:
        bad = sum(1 for o in overall if o in ("regression", "failed"))
        body.append(f"<p><b>{'REGRESSION' if bad else 'PASS'}</b>: {bad} of {len(overall)} checks failed.</p>")
    for r in runs:
        body.append(run_sections(r))
    body.append("<h2>Plots</h2>")
    body.append(images_section(images))
    write_page(path, title, body)


# Shades for the runs of one side of an A/B report, darkest first.
A_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1")
B_COLOURS = ("#a63603", "#e6550d", "#fd8d3c", "#fdae6b")


def mark_sides(a_runs, b_runs):
    """Labels "A 1 (file)", "B 1 (file)" and one colour family per side, so
    that every plot reads as A against B, pair by pair."""
    for side, runs, colours in (("A", a_runs, A_COLOURS), ("B", b_runs, B_COLOURS)):
        for k, r in enumerate(runs):
            r.label = f"{side} {k + 1} ({r.label})"
            r.color = colours[k % len(colours)]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Plot h2soak result files and write an HTML report.")
    ap.add_argument("results", nargs="+", help="result JSON files (h2soak.result/v1)")
    ap.add_argument("--baseline", action="append", default=[],
                    help="a baseline file (h2soak.baseline/v1) or result files of reference runs; repeatable")
    ap.add_argument("--verdict", default=None,
                    help="the run's verdict (h2soak run --verdict-json, schema h2soak.verdict/v1), shown first")
    ap.add_argument("--out", default="report", help="output folder (created if missing)")
    ap.add_argument("--title", default=None)
    ap.add_argument("--b", nargs="+", default=[], metavar="RESULT",
                    help="an A/B report (h2soak ab): B's result files; the positional ones are A's. "
                         "A's runs are drawn in blues, B's in oranges, pair k as A k / B k")
    args = ap.parse_args(argv)
    try:
        runs = [Run(p, load_json(p)) for p in args.results]
        if args.b:
            b_runs = [Run(p, load_json(p)) for p in args.b]
            mark_sides(runs, b_runs)
            runs = runs + b_runs
        args.verdict_doc = load_json(args.verdict) if args.verdict else None
        if args.verdict_doc is not None and args.verdict_doc["schema"] != VERDICT_SCHEMA:
            raise InputError(f"{args.verdict}: expected a verdict ({VERDICT_SCHEMA}), "
                             f"got \"{args.verdict_doc['schema']}\"")
        baseline_runs, baseline_doc = [], None
        for p in args.baseline:
            doc = load_json(p)
            if doc["schema"] == BASELINE_SCHEMA:
                baseline_doc = doc
            else:
                baseline_runs.append(Run(p, doc))
        check_capacity_alone(args, runs)
    except InputError as e:
        print(f"plot_run: {e}", file=sys.stderr)
        return 2
    try:
        write_report(args, runs, baseline_runs, baseline_doc)
    except OutputError as e:
        print(f"plot_run: {e}", file=sys.stderr)
        return 3
    print(os.path.join(args.out, "report.html"))
    return 0


def check_capacity_alone(args, runs):
    """A capacity search has a page of its own: it is not mixed with runs, sides or baselines."""
    capacity = [r for r in runs if capacity_report.is_capacity(r.doc)]
    if capacity and (len(runs) > 1 or args.b or args.baseline or args.verdict):
        raise InputError(f"{capacity[0].path}: a capacity result (h2soak capacity) is reported alone, "
                         "without other results, --b, --baseline or --verdict")


def write_report(args, runs, baseline_runs, baseline_doc):
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{args.out}: cannot create the output folder: {e.strerror}") from e
    if len(runs) == 1 and capacity_report.is_capacity(runs[0].doc):
        capacity_report.write_report(args.out, runs[0].doc, args.title)
        return
    images = []
    p = os.path.join(args.out, "resources.png")
    if any(r.samples for r in runs):
        plot_resources(runs, baseline_runs, baseline_doc, p)
        images.append(("Target resources", p))
    p = os.path.join(args.out, "modulation.png")
    if plot_modulation(runs, p):
        images.append(("Attribution schedule", p))
    p = os.path.join(args.out, "gauges.png")
    if plot_gauges(runs, p):
        images.append(("Scraped gauges", p))
    p = os.path.join(args.out, "generator.png")
    if plot_generator(runs, p):
        images.append(("The generator itself", p))
    p = os.path.join(args.out, "workloads.png")
    if plot_workload_figures(runs, p):
        images.append(("SSE and upload figures", p))
    p = os.path.join(args.out, "latency.png")
    plot_latency(runs, baseline_doc, p)
    images.append(("Latency percentiles", p))
    p = os.path.join(args.out, "throughput.png")
    plot_throughput(runs, baseline_runs, p)
    images.append(("Throughput", p))
    names = ", ".join(sorted({r.meta.get("scenario_name", "?") for r in runs}))
    title = args.title or (f"h2soak A/B report: {names}" if getattr(args, "b", None) else f"h2soak report: {names}")
    html_path = os.path.join(args.out, "report.html")
    write_html(html_path, title, runs, images, getattr(args, "verdict_doc", None))


if __name__ == "__main__":
    sys.exit(main())
