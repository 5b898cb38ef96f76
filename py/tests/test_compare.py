import json

import pytest

import h2soak
import synthetic_result


def write(path, doc):
    path.write_text(json.dumps(doc))
    return str(path)


def test_record_baseline_then_compare_clean_and_leaking(tmp_path):
    runs = [write(tmp_path / f"base{i}.json", synthetic_result.make_result(seed=i, with_verdict=False))
            for i in range(3)]
    baseline = str(tmp_path / "baseline.json")
    h2soak.record_baseline(runs, baseline)
    with open(baseline) as f:
        assert json.load(f)["schema"] == "h2soak.baseline/v1"
    with pytest.raises(h2soak.ResultError):
        h2soak.record_baseline(runs, baseline)  # refuses to overwrite
    h2soak.record_baseline(runs, baseline, force=True)
    before = open(baseline).read()

    clean = write(tmp_path / "clean.json", synthetic_result.make_result(seed=7, with_verdict=False))
    v = h2soak.compare([clean], baseline)
    assert v["failed"] is False, v
    names = {m["metric"] for m in v["metrics"]}
    assert {"rss.slope", "latency.p99", "throughput"} <= names
    assert all(m["status"] in ("PASS", "IMPROVED", "NEW", "MISSING") for m in v["metrics"])
    assert [t["passed"] for t in v["thresholds"]] == [True]  # "errors < 10" from the result

    leaky = write(tmp_path / "leaky.json",
                  synthetic_result.make_result(seed=8, leak_bytes_per_s=5e6, with_verdict=False))
    v = h2soak.compare([leaky], baseline)
    assert v["failed"] is True
    slope = next(m for m in v["metrics"] if m["metric"] == "rss.slope")
    assert slope["status"] == "REGRESSION" and slope["reason"]
    assert open(baseline).read() == before  # a compare never modifies the baseline

    with pytest.raises(h2soak.ResultError, match="missing.json"):
        h2soak.compare([str(tmp_path / "missing.json")], baseline)
    v = h2soak.compare([clean], baseline, thresholds=["latency.p99 < 1ms"])
    assert v["failed"] is True
    assert any(not t["passed"] and t["expression"] == "latency.p99 < 1ms" for t in v["thresholds"])


def test_compare_errors(tmp_path):
    run = write(tmp_path / "run.json", synthetic_result.make_result(seed=1))
    bad = tmp_path / "corrupt.json"
    bad.write_text("{ not json")
    with pytest.raises(h2soak.ResultError, match="corrupt.json"):
        h2soak.compare([run], str(bad))
    assert open(bad).read() == "{ not json"
