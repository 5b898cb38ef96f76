"""The report of a capacity search (`h2soak capacity --report DIR`,
docs/capacity.md): reports/plot_run.py hands a result with a `capacity`
section here.

The page, top to bottom:
  Verdict   the capacity with its interval [highest pass, lowest fail], how
            the search ended (`stop` and its note) and the objective that
            broke first; a warning when the generator was the bottleneck or
            the search did not finish;
  Search    target, settings (stage, warm-up, growth, refine, -c -m -t) and
            where and when it ran;
  Stages    one row per stage in the order run: offered and achieved rate,
            p50/p99/p99.9, error and drop rate, the target's CPU (cores),
            RSS, thread and fd peaks, pass or the objective that failed;
  knee.png  over the offered rate: (1) achieved rate with the y = x line and
            the 95 % line a stage must reach, (2) p50/p99/p99.9 on a log
            scale with each latency objective's limit, (3) the target's CPU
            in cores and its RSS; in each panel the capacity as a vertical
            line, the interval shaded, failing stages drawn as red crosses
            (stopped early: hollow).
"""
import html
import math
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from report_html import MIB, fmt, images_section, save_figure, table, write_page  # noqa: E402

# "p99 < 250ms", "latency.p99 <= 0.25s": what panel 2 draws as a limit.
LATENCY_OBJECTIVE = re.compile(
    r"^\s*(?:latency\.)?(p50|p90|p95|p99|p999|max|mean)\s*(<=|<)\s*"
    r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$")
UNIT_MS = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3, None: 1e3, "m": 6e4, "h": 3.6e6}
PERCENTILE_COLOURS = {"p50": "#2c7bb6", "p99": "#f28e2b", "p999": "#5e3c99"}
OBJECTIVE_COLOUR = "#333333"
PERCENTILE_LABELS = {"p50": "p50", "p99": "p99", "p999": "p99.9"}
PASS_COLOUR, FAIL_COLOUR, CAPACITY_COLOUR = "#1a9641", "#d7191c", "#1a9641"
STOP_WORDS = {
    "refined": "the bisection steps are done",
    "max-rate": "every stage up to --max-rate passed: the capacity is at least this",
    "first-stage-failed": "the first stage already broke an objective: lower --start-rate",
    "generator-bound": "h2soak itself became the bottleneck: the capacity is a lower bound",
    "interrupted": "interrupted before the search finished",
    "target-gone": "the target went away (or never answered) before the search finished",
}


def is_capacity(doc):
    """True for the result of `h2soak capacity` (it has a `capacity` section)."""
    return isinstance(doc.get("capacity"), dict)


def _num(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else math.nan


def latency_limits(objectives):
    """[(objective as written, percentile, limit in ms)] of the `latency.* <` objectives."""
    out = []
    for text in objectives or []:
        m = LATENCY_OBJECTIVE.match(str(text))
        if m:
            out.append((str(text), m.group(1), float(m.group(3)) * UNIT_MS[m.group(4)]))
    return out


class Stage:
    """One stage's figures in the units the page shows (ms, MiB, fractions)."""

    def __init__(self, index, d):
        lat = d.get("latency") or {}
        target = d.get("target") or {}
        self.index = index
        self.offered = _num(d.get("offered"))
        self.achieved = _num(d.get("achieved"))
        self.ms = {q: _num(lat.get(q)) / 1000.0 for q in ("p50", "p90", "p99", "p999")}
        self.error_rate = _num(d.get("error_rate"))
        self.drop_rate = _num(d.get("drop_rate"))
        self.errors, self.dropped = d.get("errors", 0), d.get("dropped", 0)
        self.cpu = _num(target.get("cpu"))
        self.rss_mib = _num(target.get("rss_peak")) / MIB
        self.threads, self.fds = target.get("threads_peak"), target.get("fds_peak")
        self.passed = bool(d.get("passed"))
        self.broken = str(d.get("broken") or "")
        self.detail = str(d.get("detail") or "")
        self.stopped_early = bool(d.get("stopped_early"))
        self.generator_bound = bool(d.get("generator_bound"))


class Search:
    """The `capacity` section of a result."""

    def __init__(self, section):
        interval = section.get("interval") or [None, None]
        self.objectives = [str(o) for o in section.get("objectives") or []]
        self.capacity = _num(section.get("capacity"))
        self.low = _num(interval[0]) if len(interval) > 0 else math.nan
        self.high = _num(interval[1]) if len(interval) > 1 else math.nan
        self.first_broken = str(section.get("first_broken") or "")
        self.stop = str(section.get("stop") or "")
        self.note = str(section.get("note") or "")
        self.stages = [Stage(i + 1, s) for i, s in enumerate(section.get("stages") or []) if isinstance(s, dict)]

    def by_rate(self):
        return sorted(self.stages, key=lambda s: s.offered)

    def sampled(self):
        return any(math.isfinite(s.cpu) or math.isfinite(s.rss_mib) for s in self.stages)


def rate_text(v):
    """Rates in req/s: whole numbers with thousands grouped, a bisection's halves with their tenths."""
    if not math.isfinite(v):
        return "–"
    if v >= 100:
        return f"{v:,.0f}" if round(v, 1) == round(v) else f"{v:,.1f}"
    return f"{v:.3g}"


def interval_text(search):
    high = rate_text(search.high) if math.isfinite(search.high) else "none failed"
    return f"[{rate_text(search.low)}, {high}] req/s"


def percent_text(fraction):
    if not math.isfinite(fraction):
        return "–"
    return "0 %" if fraction == 0 else f"{100 * fraction:.2g} %" if fraction < 0.01 else f"{100 * fraction:.1f} %"


def ms_text(v):
    return "–" if not math.isfinite(v) else f"{v:.3g}" if v < 100 else f"{v:,.0f}"


def headline(search):
    """The one sentence the page opens with."""
    if search.stop == "generator-bound":
        return f"Capacity: at least {rate_text(search.capacity)} req/s (the generator became the bottleneck)"
    if search.stop == "first-stage-failed":
        return (f"Capacity: below the first stage's rate (interval {interval_text(search)}); "
                f"first broken objective: {search.first_broken or 'none'}")
    broken = f"; first broken objective: {search.first_broken}" if search.first_broken else ""
    return f"Capacity: {rate_text(search.capacity)} req/s (interval {interval_text(search)}){broken}"


def verdict_section(run, search):
    finished = search.stop in ("refined", "max-rate")
    parts = ["<h2>Verdict</h2>",
             f'<p class="{"pass" if finished else "fail"}"><b>{html.escape(headline(search))}</b></p>']
    if search.stop == "generator-bound":
        parts.append(f'<p class="warning"><b>Generator-bound:</b> {html.escape(search.note)}. Add -t threads '
                     "(and -c connections) or run h2soak from another host.</p>")
    for w in (run.get("generator") or {}).get("warnings", []):
        parts.append(f'<p class="warning"><b>Generator warning:</b> {html.escape(w)}</p>')
    stop = search.stop + (f": {search.note}" if search.note else "")
    rows = [
        ["capacity", f"{rate_text(search.capacity)} req/s",
         "the highest offered rate whose stage met every objective"],
        ["interval", interval_text(search), "[highest passing rate, lowest failing rate]"],
        ["first broken objective", search.first_broken or "none", "what failed at the lowest failing rate"],
        ["search ended", stop, STOP_WORDS.get(search.stop, "")],
        ["objectives", "; ".join(search.objectives) or "–",
         "and drops within the error budget, achieved >= 95 % of offered"],
    ]
    parts.append(table(["", "value", "meaning"], rows))
    return "".join(parts)


def settings_section(run):
    meta = run.get("metadata") or {}
    extra = meta.get("extra") or {}
    target = run.get("target") or {}
    knobs = [("stage", "stage"), ("warm_up", "warm-up"), ("start_rate", "start"), ("max_rate", "max"),
             ("growth", "growth"), ("refine", "refine"), ("clients", "-c"), ("max_streams", "-m"),
             ("threads", "-t"), ("protocol", "protocol")]
    settings = ", ".join(f"{label} {extra['capacity.' + k]}" for k, label in knobs if "capacity." + k in extra)
    sampled = f"pid {target.get('pid')}" if target.get("mode") in ("pid", "pidfile") else "not sampled"
    status = (run.get("status") or {})
    state = status.get("state", "?") + (f" ({status['reason']})" if status.get("reason") else "")
    return ("<h2>Search</h2>" + table(
        ["target", "sampled", "settings", "status", "start", "duration", "host", "h2soak"],
        [[target.get("url", ""), sampled, settings, state, meta.get("start_time", ""),
          fmt(meta.get("duration"), "s"), f"{meta.get('host', '')} ({meta.get('cpu_count', '?')} CPUs)",
          f"{meta.get('h2soak_version', '')} {meta.get('git_revision', '')}".strip()]]))


def stage_verdict(s):
    if s.passed:
        return "pass"
    text = "FAIL " + (s.broken or "?")
    if s.stopped_early:
        text += " (stopped early)"
    if s.generator_bound:
        text += " (generator-bound)"
    return text


def stages_section(search):
    rows, classes = [], []
    for s in search.stages:
        rows.append([s.index, rate_text(s.offered), rate_text(s.achieved), ms_text(s.ms["p50"]),
                     ms_text(s.ms["p99"]), ms_text(s.ms["p999"]), percent_text(s.error_rate),
                     percent_text(s.drop_rate), "–" if not math.isfinite(s.cpu) else f"{s.cpu:.2f}",
                     "–" if not math.isfinite(s.rss_mib) else f"{s.rss_mib:.1f}",
                     "–" if s.threads is None else s.threads, "–" if s.fds is None else s.fds, stage_verdict(s)])
        classes.append("" if s.passed else "failed")
    details = [f"<li>stage {s.index} at {rate_text(s.offered)} req/s: {html.escape(s.detail)}</li>"
               for s in search.stages if not s.passed and s.detail]
    return ("<h2>Stages</h2>"
            '<p class="explain">In the order run: the ramp, then the bisection. Latency is measured from each '
            "request's due time (ms); the drop rate counts arrivals never sent because the in-flight bound was "
            "reached; target CPU is in cores (1.00 = one core busy), RSS in MiB, threads and fds are peaks.</p>"
            + table(["#", "offered/s", "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "error rate", "drop rate",
                     "target CPU", "RSS MiB", "threads", "fds", "verdict"], rows, classes)
            + (f'<ul class="explain">{"".join(details)}</ul>' if details else ""))


def mark_search(ax, search, label):
    """The capacity line and the [pass, fail] interval, on one panel."""
    if math.isfinite(search.low) and math.isfinite(search.high) and search.high > search.low:
        ax.axvspan(search.low, search.high, color="#fdd49e", alpha=0.5, lw=0, zorder=0,
                   label="interval [pass, fail]" if label else None)
    if math.isfinite(search.capacity) and search.capacity > 0:
        ax.axvline(search.capacity, color=CAPACITY_COLOUR, lw=1.6, zorder=1,
                   label=f"capacity {rate_text(search.capacity)} req/s" if label else None)


def scatter_stages(ax, stages, ys, colour, size=36):
    """Passing stages as dots, failing ones as crosses (hollow squares when stopped early)."""
    for s, y in zip(stages, ys):
        if not math.isfinite(y):
            continue
        if s.passed:
            ax.scatter([s.offered], [y], s=size, marker="o", color=colour, edgecolors="white", linewidths=0.6,
                       zorder=4)
        elif s.stopped_early:
            ax.scatter([s.offered], [y], s=size * 1.3, marker="s", facecolors="none", edgecolors=FAIL_COLOUR,
                       linewidths=1.6, zorder=4)
        else:
            ax.scatter([s.offered], [y], s=size * 1.6, marker="X", color=FAIL_COLOUR, edgecolors="white",
                       linewidths=0.6, zorder=4)


def marker_legend(stages):
    """Legend entries for the kinds of marker the plot has."""
    handles = [Line2D([], [], ls="", marker="o", color="#555555", label="stage passed")]
    if any(not s.passed and not s.stopped_early for s in stages):
        handles.append(Line2D([], [], ls="", marker="X", color=FAIL_COLOUR, markersize=8, label="stage failed"))
    if any(not s.passed and s.stopped_early for s in stages):
        handles.append(Line2D([], [], ls="", marker="s", markerfacecolor="none", markeredgecolor=FAIL_COLOUR,
                              markersize=7, label="failed, stopped early"))
    return handles


def plot_knee(search, path):
    """knee.png (see the module's docstring); False when no stage has a rate."""
    fig = knee_figure(search)
    if fig is None:
        return False
    save_figure(fig, path)
    plt.close(fig)
    return True


def plain_log_ticks(axis):
    """Plain numbers at 1-2-5 steps on a log axis: "10^2" makes a reader do sums."""
    axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,g}"))
    axis.set_minor_locator(ticker.NullLocator())


def knee_figure(search):
    """The knee plot's figure, its three panels in fig.axes[:3] (the RSS axis after them); None without stages."""
    stages = [s for s in search.by_rate() if math.isfinite(s.offered) and s.offered > 0]
    if not stages:
        return None
    x = np.array([s.offered for s in stages])
    fig, axes = plt.subplots(3, 1, figsize=(11, 11), sharex=True, gridspec_kw={"height_ratios": [1.1, 1.2, 0.9]})
    # A long geometric ramp (a fast service from a low start) gets log axes:
    # the ramp's steps fall evenly and the first stages are not squashed.
    log_x = x.max() / x.min() > 20
    for ax in axes:
        mark_search(ax, search, ax is axes[0])
        ax.grid(True, alpha=0.3)

    # 1: what the service completed against what was offered.
    ax = axes[0]
    top = max(x.max(), max((s.achieved for s in stages if math.isfinite(s.achieved)), default=0)) * 1.08
    # Many points: a straight segment between two is not y = x once an axis is logarithmic.
    line = np.geomspace(x.min() / 1.5, top, 200)
    ax.plot(line, line, ls="--", color="#888888", lw=1.0, label="achieved = offered", zorder=2)
    ax.plot(line, 0.95 * line, ls=":", color="#888888", lw=1.0, label="95 % of offered (the floor a stage needs)",
            zorder=2)
    ach = [s.achieved for s in stages]
    ax.plot(x, ach, color="#333333", lw=1.2, zorder=3, label="achieved")
    scatter_stages(ax, stages, ach, "#333333")
    if log_x:  # log-log: achieved = offered stays the diagonal, and a plateau still reads as one
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
    ax.set_ylabel("achieved (req/s" + (", log)" if log_x else ")"))
    ax.set_title("Throughput: what the service completed", fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    extra = marker_legend(stages)
    ax.legend(handles + extra, labels + [h.get_label() for h in extra], loc="upper left", fontsize=8, ncol=2)

    # 2: latency percentiles with the objectives' limits.
    ax = axes[1]
    for q in ("p50", "p99", "p999"):
        ys = [s.ms[q] for s in stages]
        if any(math.isfinite(y) for y in ys):
            ax.plot(x, ys, color=PERCENTILE_COLOURS[q], lw=1.4, label=PERCENTILE_LABELS[q], zorder=3)
            scatter_stages(ax, stages, ys, PERCENTILE_COLOURS[q], size=28)
    limits = latency_limits(search.objectives)
    for k, (text, _, limit) in enumerate(limits):
        ax.axhline(limit, color=OBJECTIVE_COLOUR, ls="--", lw=1.1, zorder=2)
        ax.annotate(f"objective {text}", (0.005, limit), xycoords=("axes fraction", "data"),
                    xytext=(2, 3 + 11 * k), textcoords="offset points", fontsize=8, color=OBJECTIVE_COLOUR)
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    # Room above the highest limit for its label, and below the lowest p50.
    shown = [v for s in stages for v in s.ms.values() if math.isfinite(v) and v > 0] + [lim for _, _, lim in limits]
    if shown:
        ax.set_ylim(min(shown) / 1.6, max(shown) * 2.5)
    ax.set_ylabel("latency from due time (ms, log)")
    ax.set_title("Latency: p50, p99, p99.9 per stage", fontsize=10)
    ax.legend(loc="upper center", fontsize=8, ncol=3)  # one row above the data, clear of the knee's spike

    # 3: what the target used.
    ax = axes[2]
    if search.sampled():
        cpu = [s.cpu for s in stages]
        ax.plot(x, cpu, color="#2b83ba", lw=1.4, label="target CPU (cores)", zorder=3)
        scatter_stages(ax, stages, cpu, "#2b83ba", size=28)
        finite = [c for c in cpu if math.isfinite(c)]
        ax.set_ylim(0, max(1.05, max(finite, default=0) * 1.15))
        ax.set_ylabel("target CPU (cores)", color="#2b83ba")
        rss_ax = ax.twinx()
        rss = [s.rss_mib for s in stages]
        rss_ax.plot(x, rss, color="#7f7f7f", lw=1.2, ls="-.", marker=".", label="target RSS peak (MiB)", zorder=3)
        finite = [r for r in rss if math.isfinite(r)]
        if finite:  # from 0: a few MiB of growth must not look like a climb to the sky
            rss_ax.set_ylim(0, max(finite) * 1.25)
        rss_ax.set_ylabel("target RSS peak (MiB)", color="#555555")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = rss_ax.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8)
    else:
        ax.text(0.5, 0.5, "the target was not sampled (give --target-pid or --target-pidfile)", ha="center",
                va="center", transform=ax.transAxes, color="#555555")
        ax.set_yticks([])
    ax.set_title("The target: what runs out", fontsize=10)

    if log_x:
        axes[-1].set_xscale("log")
        plain_log_ticks(axes[-1].xaxis)
        axes[-1].set_xlim(x.min() / 1.3, x.max() * 1.3)
    else:
        pad = 0.1 * (x.max() - x.min()) or 0.1 * x.max()
        axes[-1].set_xlim(max(0.0, x.min() - pad), x.max() + pad)
    axes[-1].set_xlabel("offered rate (req/s)")
    fig.suptitle(headline(search), fontsize=11)
    fig.tight_layout()
    return fig


def write_report(out_dir, doc, title=None):
    """knee.png and report.html in `out_dir` for one capacity result `doc`."""
    search = Search(doc["capacity"])
    images = []
    knee = os.path.join(out_dir, "knee.png")
    if plot_knee(search, knee):
        images.append(("Knee: achieved rate, latency and the target's resources against the offered rate", knee))
    url = (doc.get("target") or {}).get("url", "")
    body = [verdict_section(doc, search), settings_section(doc), stages_section(search)]
    if images:
        body.append("<h2>Plots</h2>")
        body.append(images_section(images))
    write_page(os.path.join(out_dir, "report.html"), title or f"h2soak capacity report: {url}".strip(), body,
               css="ul.explain { max-width: 60em; font-size: 0.9em; color: #444; }\n")
