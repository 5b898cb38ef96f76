import json

import numpy as np
import pytest

import h2soak


def test_load_result_objects(result_file, result_doc):
    r = h2soak.load_result(str(result_file))
    assert r.schema == h2soak.SCHEMA == "h2soak.result/v1"
    assert r.status == "completed" and r.completed
    assert r.metadata["scenario_name"] == "synthetic"
    assert [p["name"] for p in r.phases] == ["warmup", "steady", "cooldown"]
    w = r.workload("bench")
    assert w.kind == "bench" and w.phase_names == ["warmup", "steady"]
    steady = w.phases["steady"]
    h = steady.histograms["request_total"]
    doc_h = result_doc["workloads"][0]["phases"][1]["histograms"]["request_total"]
    assert h.count == doc_h["count"] and h.min == doc_h["min"] and h.max == doc_h["max"]
    # The Python generator computes exact percentiles from raw values.
    for key, p in (("p50", 50), ("p99", 99)):
        assert abs(h.percentile(p) - doc_h["summary"][key]) <= 0.001 * doc_h["summary"][key]
    c = steady.counters
    assert c["requests"]["done"] == doc_h["count"]
    assert c["rst_stream_codes"] == {"CANCEL": 1}
    series = steady.series
    assert isinstance(series["requests_done"], np.ndarray)
    assert series["requests_done"].sum() == c["requests"]["done"]
    assert series["second"][0] == 0  # aligned on the run's start


def test_samples_are_numpy(result_file, result_doc):
    r = h2soak.load_result(str(result_file))
    s = r.samples
    assert s is r.target.samples or s is not None
    doc = result_doc["target"]["samples"]
    assert len(s) == doc["count"]
    assert s.rss.dtype == np.uint64 and s.t.dtype == np.float64
    assert np.array_equal(s.rss, np.array(doc["rss"], dtype=np.uint64))
    assert np.allclose(s.utime, doc["utime"])
    g = s.gauges["go_goroutines"]
    assert np.isnan(g[1]) and g[0] == 12.0
    assert r.target.exit_code == 0 and r.target.exit_signal is None


def test_analysis_verdict_thresholds(result_file):
    r = h2soak.load_result(str(result_file))
    m = r.analysis["rss.slope"]
    assert m.unit == "bytes/s" and m.direction == "lower" and m.leak
    assert m.ci_low < m.value < m.ci_high
    assert r.analysis["latency.p99"].ci_low is None
    assert r.thresholds == ["errors < 10"]
    assert [v.metric for v in r.verdict] == ["rss.slope", "latency.p99"]


def test_merged_phases(result_file):
    r = h2soak.load_result(str(result_file))
    w = r.workloads[0]
    all_ = w.merged()
    steady_only = w.merged(["steady"])
    total = sum(p.histograms["request_total"].count for p in w.phases.values())
    assert all_.histograms["request_total"].count == total
    assert steady_only.histograms["request_total"] == w.phases["steady"].histograms["request_total"]


def test_views_outlive_the_result_variable(result_file):
    h = h2soak.load_result(str(result_file)).workloads[0].phases["steady"].histograms["ttfb"]
    assert h.count > 0  # kept alive through reference_internal


def test_save_round_trip(tmp_path, result_file):
    r = h2soak.load_result(str(result_file))
    out = tmp_path / "copy.json"
    r.save(str(out))
    r2 = h2soak.load_result(str(out))
    assert json.loads(r2.to_json()) == json.loads(r.to_json())


def test_errors_name_file_and_path(tmp_path, result_doc):
    bad = dict(result_doc)
    bad["schema"] = "h2soak.result/v9"
    p = tmp_path / "v9.json"
    p.write_text(json.dumps(bad))
    with pytest.raises(h2soak.ResultError, match=r"v9\.json: unsupported schema"):
        h2soak.load_result(str(p))
    doc = json.loads(json.dumps(result_doc))
    doc["workloads"][0]["phases"][0]["counters"]["requests"]["done"] = -3
    with pytest.raises(ValueError, match=r"/workloads/0/phases/0/counters/requests/done"):
        h2soak.loads_result(json.dumps(doc), "mem.json")
    with pytest.raises(h2soak.ResultError, match="invalid JSON"):
        h2soak.loads_result("{", "cut.json")
    with pytest.raises(h2soak.ResultError, match="missing.json"):
        h2soak.load_result(str(tmp_path / "missing.json"))


def test_result_path(result_file, result_doc):
    assert h2soak.load_result(result_file).path == str(result_file)  # os.PathLike accepted
    assert h2soak.loads_result(json.dumps(result_doc)).path is None
