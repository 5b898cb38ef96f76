import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.join(HERE, "..")
sys.path.insert(0, REPORTS)

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
