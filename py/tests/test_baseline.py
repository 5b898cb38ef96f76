"""h2soak.load_baseline on a baseline recorded by h2soak.record_baseline."""
import json

import pytest

import h2soak
import synthetic_result


def write(path, doc):
    path.write_text(json.dumps(doc))
    return str(path)


@pytest.fixture
def baseline_path(tmp_path):
    runs = [write(tmp_path / f"base{i}.json", synthetic_result.make_result(seed=i, with_verdict=False))
            for i in range(3)]
    path = tmp_path / "baseline.json"
    h2soak.record_baseline(runs, str(path))
    return path


def test_load_baseline_matches_the_file(baseline_path):
    b = h2soak.load_baseline(baseline_path)  # os.PathLike is fine
    with open(baseline_path) as f:
        doc = json.load(f)
    assert isinstance(b, h2soak.Baseline)
    assert b.path == str(baseline_path)
    assert b.runs == 3 and len(b.sources) == 3
    assert b.created_at == doc["created_at"]
    assert b.machine.hostname == "testhost" and b.machine.cores == 2
    assert b.machine.cpu_model == "Synthetic CPU"
    assert b.scenario_names == ["synthetic"] == list(b.scenarios)

    s = b.scenario("synthetic")
    assert s.name == "synthetic" and s.hash == "sha256:synthetic"
    stored = doc["scenarios"]["synthetic"]["metrics"]
    assert sorted(s.metrics) == sorted(stored)
    slope = s.metrics["rss.slope"]
    assert slope.reference == stored["rss.slope"]["reference"]
    assert slope.values == stored["rss.slope"]["values"] and len(slope.values) == 3
    assert slope.unit == "bytes/s" and slope.direction == "lower" and slope.kind == "leak"
    assert slope.min <= slope.reference <= slope.max
    assert slope.spread == pytest.approx(max(abs(v - slope.reference) for v in slope.values))
    assert len(slope.cis) == 3 and all(lo < hi for lo, hi in slope.cis)
    throughput = s.metrics["throughput"]
    assert throughput.direction == "higher" and throughput.kind == "value" and throughput.cis == []
    assert throughput.gate in ("fail", "warn") and throughput.relative_tolerance > 0


def test_baseline_reprs(baseline_path):
    b = h2soak.load_baseline(str(baseline_path))
    assert repr(b).startswith("<h2soak.Baseline 1 scenario(s), 3 run(s), created ")
    assert "testhost" in repr(b)
    assert repr(b.scenario("synthetic")).startswith("<h2soak.BaselineScenario synthetic, ")
    assert "bytes/s" in repr(b.scenario("synthetic").metrics["rss.slope"])
    assert "Synthetic CPU" in repr(b.machine)


def test_views_outlive_the_baseline(baseline_path):
    metric = h2soak.load_baseline(str(baseline_path)).scenario("synthetic").metrics["rss.slope"]
    assert metric.unit == "bytes/s"  # kept alive by the Baseline it came from


def test_load_baseline_errors_name_the_file(tmp_path, baseline_path):
    with pytest.raises(KeyError, match="nope"):
        h2soak.load_baseline(str(baseline_path)).scenario("nope")
    missing = tmp_path / "missing-baseline.json"
    with pytest.raises(h2soak.ResultError, match="missing-baseline.json"):
        h2soak.load_baseline(str(missing))
    corrupt = tmp_path / "corrupt-baseline.json"
    corrupt.write_text("{ not json")
    with pytest.raises(ValueError, match="corrupt-baseline.json"):
        h2soak.load_baseline(str(corrupt))
    result = write(tmp_path / "a-result.json", synthetic_result.make_result(seed=1))
    with pytest.raises(h2soak.ResultError, match="a-result.json"):
        h2soak.load_baseline(result)  # a result, not a baseline
    with pytest.raises(TypeError):
        h2soak.load_baseline(None)
