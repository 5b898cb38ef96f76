"""h2soak.run against the reference server (real load on loopback, ~30 s).

Registered in CTest as py_h2soak_run_pytest (RUN_SERIAL). The module spawns
the h2soak-target built beside it (h2soak.DEFAULT_REFERENCE_BINARY) unless
$H2SOAK_TARGET_BIN says otherwise.
"""
import os
import signal
import threading
import time

import numpy as np
import pytest

import h2soak

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.environ.get("H2SOAK_SCENARIOS") or os.path.join(HERE, "..", "..", "scenarios")
BENCH = os.path.join(SCENARIOS, "test", "bench.yaml")


def dict_scenario(name, steady="3s", clients=2):
    return {
        "name": name,
        "target": {
            "url": "https://127.0.0.1:{port}",
            "spawn": "h2soak-target --threads 1",
            "ready": {"timeout": "5s"},
        },
        "phases": {"warmup": "1s", "steady": steady, "cooldown": "1s"},
        "workloads": [{"kind": "bench", "clients": clients, "max_streams": 4, "paths": ["/", "/page/1"]}],
    }


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    calls = []
    result = h2soak.run(BENCH, out_dir=out, threads=2, progress=calls.append)
    return result, calls, out


def test_bench_file_runs(bench_run):
    r, _, out = bench_run
    assert isinstance(r, h2soak.Result)
    assert r.status == "completed", r.status_reason
    assert r.path == str(out / "test_bench.json") and os.path.exists(r.path)
    assert r.metadata["scenario_name"] == "test_bench"
    assert [w.kind for w in r.workloads] == ["bench"]
    steady = r.workloads[0].phases["steady"]
    assert steady.counters["requests"]["done"] > 100
    series = steady.series["requests_done"]
    assert isinstance(series, np.ndarray) and series.sum() == steady.counters["requests"]["done"]
    s = r.samples
    for col in (s.t, s.rss, s.threads, s.fds):
        assert isinstance(col, np.ndarray) and len(col) > 10
    assert (s.rss > 0).all()
    for metric in ("rss.slope", "threads.residual", "fds.residual", "rps"):
        assert metric in r.analysis, sorted(r.analysis)
    assert r.analysis["rps"].value > 0
    # The file written is the same result.
    again = h2soak.load_result(r.path)
    assert again.path == r.path and [w.name for w in again.workloads] == [w.name for w in r.workloads]


def test_progress_callback(bench_run):
    _, calls, _ = bench_run
    assert len(calls) >= 4, calls
    # Parsed fields (pins the runner's progress line format).
    for key in ("phase", "elapsed", "total", "eta", "rps", "errors", "in_flight", "rss", "threads", "line"):
        assert key in calls[-1], calls[-1]
    elapsed = [c["elapsed"] for c in calls]
    assert elapsed == sorted(elapsed) and elapsed[-1] > elapsed[0] + 2
    assert "steady" in {c["phase"] for c in calls}
    assert any(c["rps"] > 0 for c in calls)
    assert any(c["rss"] for c in calls)


def test_misspelt_key_raises_scenario_error(tmp_path):
    doc = dict_scenario("py_bad")
    doc["workloads"][0]["clinets"] = doc["workloads"][0].pop("clients")
    with pytest.raises(h2soak.ScenarioError, match="did you mean") as e:
        h2soak.run(doc, out_dir=tmp_path)
    assert isinstance(e.value, ValueError)
    assert str(e.value).startswith("<dict>:")
    assert "clinets" in str(e.value)
    assert os.listdir(tmp_path) == []  # nothing ran


def test_dict_scenario_runs(tmp_path):
    # The GIL is released during the run: another Python thread keeps ticking.
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        r = h2soak.run(dict_scenario("py_dict"), out_dir=str(tmp_path), threads=1)
    finally:
        done.set()
        ticker.join()
    assert len(ticks) > 200  # ~5 s of run at 100 ticks/s
    assert r.completed, r.status_reason
    assert r.metadata["scenario_name"] == "py_dict"
    assert r.path == str(tmp_path / "py_dict.json")
    assert r.workload("bench").phases["steady"].counters["requests"]["done"] > 0
    assert [p["name"] for p in r.phases] == ["warmup", "steady", "cooldown"]


def test_runs_return_a_list(tmp_path):
    doc = dict_scenario("py_twice", steady="2s")
    results = h2soak.run(doc, out_dir=tmp_path, runs=2)
    assert isinstance(results, list) and len(results) == 2
    assert [os.path.basename(r.path) for r in results] == ["py_twice.run1.json", "py_twice.run2.json"]
    assert all(r.completed for r in results)
    assert [r.metadata["extra"]["run"] for r in results] == ["1", "2"]


def test_keyboard_interrupt_aborts_cleanly(tmp_path):
    timer = threading.Timer(2.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt) as e:
            h2soak.run(dict_scenario("py_interrupted", steady="20s"), out_dir=tmp_path, progress=lambda d: None)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    partial = e.value.result
    assert partial is not None and partial.status == "aborted", partial
    assert e.value.result_path == str(tmp_path / "py_interrupted.json")
    assert h2soak.load_result(e.value.result_path).status == "aborted"


def test_target_that_cannot_start_raises_run_error(tmp_path):
    with pytest.raises(h2soak.RunError) as e:
        h2soak.run(dict_scenario("py_nostart"), out_dir=tmp_path, spawn="/bin/false",
                   target_url="https://127.0.0.1:9")
    assert e.value.result is None and e.value.result_path is None
    assert e.value.errors and "py_nostart" in e.value.errors[0]


def test_bad_arguments():
    with pytest.raises(ValueError):
        h2soak.run(BENCH, threads=0)
    with pytest.raises(TypeError):
        h2soak.run(42)
    with pytest.raises(FileNotFoundError):
        h2soak.run("/nonexistent/scenario.yaml")
    with pytest.raises(TypeError):
        h2soak.run(BENCH, progress=3)
