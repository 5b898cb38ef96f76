import json
import os
import re
import subprocess
import sys

import matplotlib.colors
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.join(HERE, "..")
sys.path.insert(0, REPORTS)

import plot_run  # noqa: E402
import synthetic_result  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write(path, doc):
    path.write_text(json.dumps(doc))
    return str(path)


def run_script(*args):
    return subprocess.run([sys.executable, os.path.join(REPORTS, "plot_run.py"), *args],
                          capture_output=True, text=True, timeout=120)


def test_one_run_writes_pngs_and_self_contained_html(tmp_path):
    res = write(tmp_path / "run.json", synthetic_result.make_result(seed=1))
    out = tmp_path / "out"
    p = run_script(res, "--out", str(out))
    assert p.returncode == 0, p.stderr
    for name in ("resources.png", "gauges.png", "latency.png", "throughput.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        assert len(data) > 10_000, name  # a real plot, not an empty canvas
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4
    assert "<h3>Verdict</h3>" in page and "latency.p99" in page and "rss.slope" in page
    assert "Merged from" not in page  # only a merged result says so
    # Self-contained: no references to other files.
    assert 'src="http' not in page and ".png\"" not in page
    assert len(page) > 50_000


def test_several_runs_with_baseline_runs_and_baseline_file(tmp_path):
    runs = [write(tmp_path / f"run{i}.json", synthetic_result.make_result(seed=i, leak_bytes_per_s=2e5))
            for i in range(2)]
    ref = write(tmp_path / "ref.json", synthetic_result.make_result(seed=9, with_verdict=False))
    baseline = {"schema": "h2soak.baseline/v1", "scenarios": {"synthetic": {"hash": "x", "metrics": {
        "rss.peak": {"unit": "bytes", "direction": "lower", "reference": 6.1e7, "min": 6.0e7, "max": 6.2e7},
        "latency.p99": {"unit": "us", "direction": "lower", "reference": 9000, "min": 8000, "max": 10000},
    }}}}
    base = write(tmp_path / "baseline.json", baseline)
    out = tmp_path / "out"
    p = run_script(*runs, "--baseline", ref, "--baseline", base, "--out", str(out), "--title", "nightly")
    assert p.returncode == 0, p.stderr
    page = (out / "report.html").read_text()
    assert "<title>nightly</title>" in page
    assert "REGRESSION" in page  # the leaking runs fail rss.slope in the synthetic verdict
    assert page.count("<h2>run") == 2
    assert (out / "resources.png").stat().st_size > 10_000


def test_result_without_samples_or_verdict(tmp_path):
    doc = synthetic_result.make_result(seed=2, with_verdict=False)
    doc["target"]["samples"] = None
    res = write(tmp_path / "bench.json", doc)
    out = tmp_path / "out"
    p = run_script(res, "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert not (out / "resources.png").exists()
    assert (out / "latency.png").stat().st_size > 5_000
    assert "<h3>Verdict</h3>" not in (out / "report.html").read_text()


def test_merged_result_says_what_it_was_merged_from(tmp_path):
    doc = synthetic_result.make_result(seed=3, with_verdict=False)
    doc["metadata"]["extra"] = {"merged_from": "2 shards",
                                "merged_sources": "s1.json (1/2), s2.json (2/2); samples: s.json"}
    out = tmp_path / "out"
    p = run_script(write(tmp_path / "merged.json", doc), "--out", str(out))
    assert p.returncode == 0, p.stderr
    page = (out / "report.html").read_text()
    assert "<b>Merged from 2 shards:</b> s1.json (1/2), s2.json (2/2); samples: s.json" in page


@pytest.mark.parametrize("content, message", [
    ('{"schema": "h2soak.result/v7"}', "unsupported schema"),
    ("{not json", "invalid JSON"),
    ("[]", "not an h2soak file"),
])
def test_bad_input_exits_2_naming_the_file(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    p = run_script(str(bad), "--out", str(tmp_path / "out"))
    assert p.returncode == 2
    assert "bad.json" in p.stderr and message in p.stderr
    assert not (tmp_path / "out" / "report.html").exists()


def section(page, heading):
    """The part of the page from `heading` up to the next heading."""
    start = page.index(heading)
    ends = [i for i in (page.find("<h2>", start + 1), page.find("<h3>", start + 1)) if i >= 0]
    return page[start:min(ends)] if ends else page[start:]


def attribution_table(page):
    """[(signal, workload, per event, interval, note, verdict)] of the Attribution table, in page order."""
    return re.findall(r"<tr(?: class=\"[a-z]*\")?>" + "<td>([^<]*)</td>" * 6 + "</tr>",
                      section(page, "<h3>Attribution</h3>"))


def test_attribution_run_gets_a_table_and_a_schedule(tmp_path):
    doc = synthetic_result.make_result(seed=3, leak_bytes_per_s=2e6, attribution=True)
    # An interval entirely below 0 "frees"; and notes are text, not markup.
    doc["analysis"]["attribution.fds.sse"] = {
        "value": -0.5, "unit": "fds/stream", "direction": "none", "ci_low": -0.7, "ci_high": -0.3,
        "leak": False, "note": "-40 % of the steady growth over 48 streams <b>&"}
    res = write(tmp_path / "attr.json", doc)
    out = tmp_path / "out"
    p = run_script(res, "--out", str(out))
    assert p.returncode == 0, p.stderr
    page = (out / "report.html").read_text()

    rows = attribution_table(page)
    keys = [(r[0], r[1]) for r in rows]
    names = [n for n in doc["analysis"] if n.startswith("attribution.")]
    assert len(rows) == len(names) == 13
    verdicts = {k: r[5] for k, r in zip(keys, rows)}
    assert verdicts[("rss", "upload")] == "leaks"
    assert verdicts[("fds", "sse")] == "frees"
    assert verdicts[("rss", "bench")] == "—"
    # Rows whose interval excludes 0 first, the largest share first; then the others; (time) last.
    assert [r[5] for r in rows[:3]] == ["leaks", "leaks", "frees"]
    assert keys[:3] == [("gauge.go_goroutines", "sse"), ("rss", "upload"), ("fds", "sse")]
    assert keys.index(("rss", "upload")) < keys.index(("rss", "bench"))
    timed = [i for i, k in enumerate(keys) if k[1] == "(no event: per second)"]
    assert timed == list(range(len(rows) - 3, len(rows)))
    assert [keys[i][0] for i in timed] == ["rss", "threads", "gauge.go_goroutines"]
    # Readable units, per event.
    upload = rows[keys.index(("rss", "upload"))]
    assert upload[2].endswith(" KiB per upload") and upload[2].startswith("+")
    assert upload[3].startswith("[") and upload[3].endswith("] KiB")
    assert rows[keys.index(("rss", "bench"))][2] == "+3.1 B per request"
    assert rows[timed[0]][2] == "+310 B per second"
    assert rows[keys.index(("threads", "sse"))][2] == "+0.003 threads per stream"
    assert "&lt;b&gt;&amp;" in section(page, "<h3>Attribution</h3>")
    assert "orthogonal patterns" in section(page, "<h3>Attribution</h3>")

    # The general analysis table keeps its metrics and lists no attribution metric.
    analysis = section(page, "<h3>Analysis</h3>")
    assert "<td>rss.slope</td>" in analysis and "<td>throughput</td>" in analysis
    assert "attribution." not in analysis

    data = (out / "modulation.png").read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    assert "<h3>Attribution schedule</h3>" in page
    assert page.count("data:image/png;base64,") == 5


def test_result_without_attribution_has_no_attribution_section(tmp_path):
    res = write(tmp_path / "run.json", synthetic_result.make_result(seed=1))
    out = tmp_path / "out"
    p = run_script(res, "--out", str(out))
    assert p.returncode == 0, p.stderr
    page = (out / "report.html").read_text()
    assert "<h3>Analysis</h3>" in page
    assert "Attribution" not in page
    assert not (out / "modulation.png").exists()


def test_schedule_without_samples_still_draws_the_slots(tmp_path):
    doc = synthetic_result.make_result(seed=5, attribution=True, with_verdict=False)
    doc["target"]["samples"] = None
    out = tmp_path / "out"
    p = run_script(write(tmp_path / "attr.json", doc), "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert not (out / "resources.png").exists()
    assert (out / "modulation.png").read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize("value, unit, signed, text", [
    (152.3 * 1024, "bytes", True, "+152.3 KiB"),
    (-812.0, "bytes", True, "-812 B"),
    (3 * 2**20, "bytes", False, "3 MiB"),
    (1.0004, "threads", True, "+1 threads"),
    (0.012345, "units", False, "0.01235 units"),
    (float("nan"), "bytes", True, "–"),
])
def test_fmt_amount(value, unit, signed, text):
    assert plot_run.fmt_amount(value, unit, signed) == text


def test_share_and_split_of_attribution_metrics():
    assert plot_run.share_of("97 % of the steady growth over 230 uploads; 1.2e+06 bytes per MiB") == 97
    assert plot_run.share_of("-2 % of the steady growth") == -2
    assert plot_run.share_of("growth no event explains") is None
    assert plot_run.split_attribution("attribution.gauge.go_goroutines.sse") == ("gauge.go_goroutines", "sse")
    assert plot_run.split_attribution("attribution.rss.(time)") == ("rss", "(time)")
    assert plot_run.fmt_interval(-2900.5, 1276.5, "bytes") == "[-2.833, 1.247] KiB"


def with_generator(doc, busy, warning=None):
    """Adds a `generator` section: two workers, `busy` share each second, h2soak's own RSS."""
    secs = [float(s) for s in range(1, 31)]
    workers = [{"t": secs, "busy": [busy] * len(secs), "lag_max": [800.0 + 10 * i for i in range(len(secs))],
                "loop_lag": synthetic_result.histogram([800] * 300)} for _ in range(2)]
    own = {"t": secs, "rss": [(40 + s / 10) * 2**20 for s in secs]}
    doc["generator"] = {"samples": own, "workers": workers, "warnings": [warning] if warning else []}
    return doc


def test_generator_figure_and_its_warning_on_the_page(tmp_path):
    warning = "the generator was CPU-saturated: worker thread 1 of 2 was busy 97 % of the steady phase"
    res = write(tmp_path / "run.json", with_generator(synthetic_result.make_result(seed=1), 0.97, warning))
    out = tmp_path / "out"
    p = run_script(res, "--out", str(out))
    assert p.returncode == 0, p.stderr
    data = (out / "generator.png").read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000
    page = (out / "report.html").read_text()
    assert "The generator itself" in page
    # The warning comes first in its run's section, before the run's tables.
    section = page[page.index("<h2>run</h2>"):]
    assert section.index("Generator warning") < section.index("<h3>Workloads</h3>")
    assert "busy 97 %" in section


def test_no_generator_section_no_figure(tmp_path):
    res = write(tmp_path / "run.json", synthetic_result.make_result(seed=1))
    out = tmp_path / "out"
    assert run_script(res, "--out", str(out)).returncode == 0
    assert not (out / "generator.png").exists()
    assert "Generator warning" not in (out / "report.html").read_text()


def test_ab_report_colours_a_and_b_pair_by_pair(tmp_path):
    a = [write(tmp_path / f"a.{i}.json", synthetic_result.make_result(seed=i)) for i in range(2)]
    b = [write(tmp_path / f"b.{i}.json", synthetic_result.make_result(seed=10 + i, leak_bytes_per_s=2e5))
         for i in range(2)]
    out = tmp_path / "out"
    p = run_script(*a, "--b", *b, "--out", str(out))
    assert p.returncode == 0, p.stderr
    page = (out / "report.html").read_text()
    assert "<title>h2soak A/B report: synthetic</title>" in page
    for label in ("A 1 (a.0)", "A 2 (a.1)", "B 1 (b.0)", "B 2 (b.1)"):
        assert label in page, label
    assert (out / "resources.png").stat().st_size > 10_000


def test_mark_sides_gives_each_side_one_colour_family():
    runs_a = [plot_run.Run(f"a{i}.json", synthetic_result.make_result(seed=i)) for i in range(5)]
    runs_b = [plot_run.Run(f"b{i}.json", synthetic_result.make_result(seed=i)) for i in range(2)]
    plot_run.mark_sides(runs_a, runs_b)
    assert [r.label for r in runs_b] == ["B 1 (b0)", "B 2 (b1)"]
    assert {r.color for r in runs_a} <= set(plot_run.A_COLOURS)
    assert {r.color for r in runs_b} <= set(plot_run.B_COLOURS)
    assert runs_a[4].color == runs_a[0].color  # the shades repeat past four pairs


def test_sse_and_upload_figures_from_their_histograms(tmp_path):
    doc = synthetic_result.make_result(seed=3)
    summary = {"count": 50, "p50": 100000, "p90": 101000, "p99": 104000, "p99.9": 105000}
    for w in doc["workloads"]:  # the figures only read the histograms, whatever the workload's name
        for p in w["phases"]:
            p["extra_histograms"] = {"sse.event_gap_us": {"count": 50, "summary": summary},
                                     "sse.time_to_first_event_us": {"count": 5, "summary": summary},
                                     "upload.throughput_kib_s": {"count": 50, "summary": summary}}
    out = tmp_path / "out"
    p = run_script(write(tmp_path / "run.json", doc), "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert (out / "workloads.png").read_bytes().startswith(PNG_MAGIC)
    assert (out / "workloads.png").stat().st_size > 10_000
    assert "<h3>SSE and upload figures</h3>" in (out / "report.html").read_text()


def test_rss_slope_line_is_drawn_through_steady():
    run = plot_run.Run("run.json", synthetic_result.make_result(seed=4, leak_bytes_per_s=2e5))
    fig, ax = plot_run.plt.subplots()
    t, y = run.column("t"), run.column("rss")
    plot_run.plot_slope_line(ax, run, t, y, plot_run.MIB)
    lines = [l for l in ax.get_lines() if "steady slope" in l.get_label()]
    assert len(lines) == 1
    xs, ys = lines[0].get_data()
    start, end = plot_run.steady_window(run)
    assert list(xs) == [start, end]
    slope = run.analysis["rss.slope"]["value"]
    assert (ys[1] - ys[0]) * plot_run.MIB == __import__("pytest").approx(slope * (end - start))
    plot_run.plt.close(fig)


# --- capacity searches (h2soak capacity --report; reports/capacity_report.py) ---

def capacity_page(tmp_path, doc, *extra):
    out = tmp_path / "out"
    p = run_script(write(tmp_path / "capacity.json", doc), "--out", str(out), *extra)
    assert p.returncode == 0, p.stderr
    return out, (out / "report.html").read_text()


def stage_rows(page):
    """[(class, [cells])] of the Stages table, in page order."""
    body = section(page, "<h2>Stages</h2>")
    return [(cls, re.findall(r"<td>([^<]*)</td>", cells))
            for cls, cells in re.findall(r"<tr(?: class=\"([a-z]*)\")?>((?:<td>[^<]*</td>)+)</tr>", body)]


def test_capacity_result_gets_its_own_page_verdict_first(tmp_path):
    doc = synthetic_result.make_capacity_result(seed=1, ceiling=520)
    out, page = capacity_page(tmp_path, doc)
    knee = (out / "knee.png").read_bytes()
    assert knee.startswith(PNG_MAGIC) and len(knee) > 20_000
    # Only the knee: the run report's time-series figures mean nothing here.
    assert page.count("data:image/png;base64,") == 1
    for name in ("resources.png", "latency.png", "throughput.png"):
        assert not (out / name).exists(), name
    # The figure, its interval, how it ended and what broke: first on the page.
    assert page.index("<h2>Verdict</h2>") < page.index("<h2>Stages</h2>") < page.index("<h2>Plots</h2>")
    verdict = section(page, "<h2>Verdict</h2>")
    assert "Capacity: 500 req/s (interval [500, 550] req/s); first broken objective: drop_rate &lt; 0.1%" in verdict
    assert "refined: bisected 3 time(s) between 500 and 550 req/s" in verdict
    assert "latency.p99 &lt; 250ms; error_rate &lt; 0.1%" in verdict
    # One row per stage, in the order run; failing ones marked and naming what failed.
    rows = stage_rows(page)
    stages = doc["capacity"]["stages"]
    assert [cells[1] for _, cells in rows] == [f"{s['offered']:,.0f}" for s in stages]
    assert [cls == "failed" for cls, _ in rows] == [not s["passed"] for s in stages]
    first_fail = next(cells for cls, cells in rows if cls == "failed")
    assert first_fail[-1].startswith("FAIL drop_rate &lt; 0.1%")
    assert first_fail[8] != "–" and first_fail[9] != "–"  # target CPU and RSS (sampled)
    assert "(stopped early)" in page  # the 800 req/s stage of the synthetic search


def test_knee_figure_marks_capacity_interval_limits_and_failures():
    import capacity_report
    search = capacity_report.Search(synthetic_result.make_capacity_result(seed=2, ceiling=520)["capacity"])
    fig = capacity_report.knee_figure(search)
    throughput, latency, target = fig.axes[:3]
    for ax in (throughput, latency, target):
        verticals = [l for l in ax.get_lines() if list(l.get_xdata()) == [500.0, 500.0]]
        assert len(verticals) == 1, ax.get_title()  # the capacity
        spans = [p for p in ax.patches if hasattr(p, "get_xy")
                 and sorted({round(x, 6) for x, _ in p.get_xy()}) == [500.0, 550.0]]
        assert len(spans) == 1, ax.get_title()  # the interval [500, 550]
    labels = [l.get_label() for l in throughput.get_lines()]
    assert "achieved = offered" in labels
    assert latency.get_yscale() == "log"
    assert any(list(l.get_ydata()) == [250.0, 250.0] for l in latency.get_lines())  # the p99 objective
    assert "objective latency.p99 < 250ms" in [t.get_text() for t in latency.texts]
    # Passing stages are dark dots, failing ones red crosses, or hollow red squares when stopped early.
    red = matplotlib.colors.to_rgba(capacity_report.FAIL_COLOUR)
    seen = {}
    for c in throughput.collections:
        (x, _), = c.get_offsets()
        faces, edges = c.get_facecolors(), c.get_edgecolors()
        face = tuple(faces[0]) if len(faces) else (0.0, 0.0, 0.0, 0.0)  # facecolors="none": hollow
        edge = tuple(edges[0]) if len(edges) else face
        seen[float(x)] = "failed" if face == red else "early" if face[3] == 0 and edge == red else "passed"
    want = {s.offered: "passed" if s.passed else "early" if s.stopped_early else "failed" for s in search.stages}
    assert seen == want and "failed" in want.values() and "early" in want.values()
    capacity_report.plt.close(fig)


def test_a_long_ramp_is_drawn_on_log_axes_with_a_true_diagonal():
    import capacity_report
    search = capacity_report.Search(synthetic_result.make_capacity_result(seed=7, ceiling=9000)["capacity"])
    fig = capacity_report.knee_figure(search)
    throughput, latency, target = fig.axes[:3]
    assert throughput.get_xscale() == "log" and throughput.get_yscale() == "log"
    (diagonal,) = [l for l in throughput.get_lines() if l.get_label() == "achieved = offered"]
    xs, ys = diagonal.get_data()
    assert len(xs) > 2 and list(xs) == list(ys)  # drawn point by point: straight on log-log, y = x everywhere
    assert throughput.xaxis.get_major_formatter()(1000, 0) == "1,000"  # plain numbers, not 10^3
    capacity_report.plt.close(fig)


def test_capacity_without_target_samples_says_so(tmp_path):
    doc = synthetic_result.make_capacity_result(seed=3, with_target=False)
    out, page = capacity_page(tmp_path, doc)
    assert (out / "knee.png").stat().st_size > 10_000
    assert all(cells[8] == "–" and cells[9] == "–" for _, cells in stage_rows(page))
    assert "not sampled" in section(page, "<h2>Search</h2>")


@pytest.mark.parametrize("ceiling, stop, headline", [
    (1e9, "max-rate", "Capacity: 100,000 req/s (interval [100,000, none failed] req/s)"),
    (60, "first-stage-failed", "Capacity: below the first stage&#x27;s rate (interval [0, 100] req/s)"),
])
def test_capacity_page_at_either_end_of_the_search(tmp_path, ceiling, stop, headline):
    doc = synthetic_result.make_capacity_result(seed=4, ceiling=ceiling)
    assert doc["capacity"]["stop"] == stop
    out, page = capacity_page(tmp_path, doc)
    assert headline in section(page, "<h2>Verdict</h2>")
    assert (out / "knee.png").stat().st_size > 10_000


def test_generator_bound_capacity_is_a_lower_bound_with_a_warning(tmp_path):
    doc = synthetic_result.make_capacity_result(seed=5)
    doc["capacity"]["stop"] = "generator-bound"
    doc["capacity"]["note"] = "generator-bound at 800 req/s: the figure measures h2soak, not the service"
    _, page = capacity_page(tmp_path, doc)
    verdict = section(page, "<h2>Verdict</h2>")
    assert "at least 500 req/s" in verdict and 'class="fail"' in verdict
    assert "Generator-bound:" in page


def test_capacity_result_is_reported_alone(tmp_path):
    cap = write(tmp_path / "capacity.json", synthetic_result.make_capacity_result(seed=6))
    other = write(tmp_path / "run.json", synthetic_result.make_result(seed=6))
    p = run_script(cap, other, "--out", str(tmp_path / "out"))
    assert p.returncode == 2 and "capacity.json" in p.stderr and "reported alone" in p.stderr
    assert not (tmp_path / "out" / "report.html").exists()


@pytest.mark.parametrize("text, percentile, ms", [
    ("p99 < 250ms", "p99", 250.0),
    ("latency.p999 <= 1s", "p999", 1000.0),
    ("latency.p50<800us", "p50", 0.8),
    ("error_rate < 0.1%", None, None),
    ("rps >= 800/s", None, None),
    ("latency.p99 > 1ms", None, None),
])
def test_latency_limits_of_the_objectives(text, percentile, ms):
    import capacity_report
    limits = capacity_report.latency_limits([text])
    if percentile is None:
        assert limits == []
    else:
        assert limits == [(text, percentile, pytest.approx(ms))]
