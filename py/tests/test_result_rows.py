"""Result.verdict (VerdictRow) and Result.attribution (AttributionRow)."""
import json

import pytest

import h2soak
import synthetic_result


def load(tmp_path, doc):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(doc))
    return h2soak.load_result(str(path))


def test_verdict_rows_are_typed(tmp_path):
    doc = synthetic_result.make_result(seed=2, leak_bytes_per_s=5e6)
    rows = load(tmp_path, doc).verdict
    assert [type(v) for v in rows] == [h2soak.VerdictRow] * 2
    slope, p99 = rows
    stored = doc["verdict"]
    assert (slope.metric, slope.outcome, slope.unit) == ("rss.slope", "regression", "bytes/s")
    assert slope.baseline == 100.0 and slope.change is None
    assert slope.current == pytest.approx(stored[0]["current"])
    assert slope.limit == "CI overlaps baseline"
    assert (p99.metric, p99.outcome, p99.baseline) == ("latency.p99", "pass", 6000.0)
    assert p99.change == pytest.approx(stored[1]["change"])
    assert repr(slope).startswith("<h2soak.VerdictRow rss.slope regression: current=")
    with pytest.raises(AttributeError):
        slope.outcome = "pass"  # read-only


def test_no_verdict_and_no_attribution(tmp_path):
    r = load(tmp_path, synthetic_result.make_result(seed=2, with_verdict=False))
    assert r.verdict == []
    assert r.attribution == []


def test_attribution_rows(tmp_path):
    doc = synthetic_result.make_result(seed=4, leak_bytes_per_s=2e5, attribution=True)
    rows = load(tmp_path, doc).attribution
    names = sorted(k for k in doc["analysis"] if k.startswith("attribution."))
    assert len(rows) == len(names) == 12
    assert all(isinstance(a, h2soak.AttributionRow) for a in rows)
    by_key = {(a.signal, a.workload): a for a in rows}
    assert sorted(f"attribution.{s}.{w}" for s, w in by_key) == names

    upload = by_key[("rss", "upload")]
    stored = doc["analysis"]["attribution.rss.upload"]
    assert upload.per_event == pytest.approx(stored["value"])
    assert (upload.ci_low, upload.ci_high) == (pytest.approx(stored["ci_low"]), pytest.approx(stored["ci_high"]))
    assert upload.unit == "bytes/upload" and upload.share == 97.0 and upload.excludes_zero
    assert upload.note == stored["note"]
    assert by_key[("rss", "sse")].share == -2.0 and not by_key[("rss", "sse")].excludes_zero

    # A dotted signal: the workload is the last dotted word.
    goroutines = by_key[("gauge.go_goroutines", "sse")]
    assert goroutines.unit == "units/stream" and goroutines.share == 99.0

    time_row = by_key[("rss", "(time)")]
    assert time_row.share is None and time_row.unit == "bytes/s"
    assert repr(upload).startswith("<h2soak.AttributionRow rss upload: +")
    assert "share=97 %" in repr(upload)


def test_attribution_ignores_other_metrics_and_odd_notes(tmp_path):
    doc = synthetic_result.make_result(seed=5, with_verdict=False)
    doc["analysis"]["attribution.fds.short"] = {
        "value": 0.5, "unit": "fds/connection", "direction": "none", "ci_low": None, "ci_high": None,
        "leak": False, "note": "not a share"}
    rows = load(tmp_path, doc).attribution
    assert len(rows) == 1
    (row,) = rows
    assert (row.signal, row.workload, row.per_event) == ("fds", "short", 0.5)
    assert row.share is None and row.ci_low is None and not row.excludes_zero
