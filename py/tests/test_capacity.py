"""h2soak.capacity against the reference server made slow on purpose, and
its bad arguments.

The module-scoped fixture starts h2soak.DEFAULT_REFERENCE_BINARY (or
$H2SOAK_TARGET_BIN) with --no-tls --threads 1 --page-cost 2ms: one worker
thread spending 2 ms of CPU per page cannot serve more than 500 pages/s, so
the capacity must lie below that known ceiling. Short stages (1 s after a
0.5 s warm-up): a search of about 10-15 s. Registered in CTest with
test_run.py and test_bench.py as py_h2soak_run_pytest (RUN_SERIAL: a rate
measured beside other load would be that load's).
"""
import json
import math
import os
import signal
import subprocess
import threading
import time

import pytest

import h2soak
import synthetic_result  # reports/, put on the path by conftest.py

CEILING = 500  # pages/s: one thread at 2 ms of CPU a page


@pytest.fixture(scope="module")
def target():
    binary = os.environ.get("H2SOAK_TARGET_BIN") or h2soak.DEFAULT_REFERENCE_BINARY
    proc = subprocess.Popen([binary, "--no-tls", "--threads", "1", "--page-cost", "2ms", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()  # the bound port, alone on the first line
        assert line.strip().isdigit(), f"{binary} printed {line!r}"
        yield proc.pid, f"http://127.0.0.1:{int(line)}/page/1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_capacity_is_bracketed_by_the_known_ceiling(target, tmp_path):
    pid, url = target
    out = tmp_path / "capacity.json"
    started = time.monotonic()
    r = h2soak.capacity(url, stage=1, warm_up="500ms", start_rate=100, refine=3, target_pid=pid,
                        objectives=["p99 < 250ms", "error_rate < 0.1%"], json=out)
    assert time.monotonic() - started < 90
    assert r.completed, r.status_reason
    assert r.metadata["scenario_name"] == "capacity"
    c = r.capacity
    assert isinstance(c, h2soak.CapacitySearch)
    # The ramp 100, 200, 400 passes at least 100; nothing passes above the ceiling.
    assert 100 <= c.capacity <= CEILING, [(s.offered, s.passed, s.broken) for s in c.stages]
    assert c.stop == "refined", c.note
    low, high = c.interval
    assert low == c.capacity and high is not None and c.capacity < high <= 2 * CEILING
    assert c.first_broken, "a failing stage names the objective it broke"
    assert c.objectives == ["p99 < 250ms", "error_rate < 0.1%"]
    assert r.analysis["capacity"].value == c.capacity and r.analysis["capacity"].unit == "req/s"
    # Stages: the ramp, then 3 bisections; each judged, sampled and with its figures.
    assert len(c.stages) >= 5
    assert any(not s.passed for s in c.stages)
    for s in c.stages:
        assert s.offered > 0 and s.seconds > 0
        assert s.passed == (s.broken == "")
        assert s.target_cpu is not None and s.target_rss_peak > 0 and s.target_threads_peak >= 1
    at_capacity = next(s for s in c.stages if s.offered == c.capacity)
    assert at_capacity.passed and at_capacity.achieved >= 0.95 * c.capacity
    assert at_capacity.p99 is not None and at_capacity.p99 < 250_000  # µs
    lowest_fail = min((s for s in c.stages if not s.passed), key=lambda s: s.offered)
    assert lowest_fail.offered == high and lowest_fail.broken == c.first_broken
    # The same document as `h2soak capacity --json`, and it loads back.
    assert json.loads(out.read_text())["capacity"]["capacity"] == c.capacity
    loaded = h2soak.load_result(out)
    assert loaded.capacity.capacity == c.capacity and len(loaded.capacity.stages) == len(c.stages)


def test_max_rate_below_the_ceiling_ends_with_max_rate(target):
    _, url = target
    r = h2soak.capacity(url, stage="1s", warm_up=0.5, start_rate="50/s", max_rate="150/s")
    c = r.capacity
    assert c.stop == "max-rate", c.note
    assert c.capacity == 150 and c.interval == (150, None) and c.first_broken == ""
    assert [s.offered for s in c.stages] == [50, 100, 150]
    assert all(s.target_cpu is None for s in c.stages)  # no target_pid: not sampled


def test_keyboard_interrupt_ends_the_search(target):
    _, url = target
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt) as e:
            h2soak.capacity(url, stage="20s", warm_up=0)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 15
    partial = e.value.result
    assert partial is not None and partial.status == "aborted"
    assert partial.capacity.stop == "interrupted"


def test_unreachable_target_raises_run_error():
    with pytest.raises(h2soak.RunError) as e:
        h2soak.capacity("http://127.0.0.1:9/", stage="1s", warm_up=0)
    assert e.value.result.capacity.stop == "target-gone"


@pytest.mark.parametrize("options, message", [
    ({"growth": 1}, "growth: must be greater than 1"),
    ({"refine": 21}, "refine: must be within 0..20"),
    ({"stage": 0.2}, "stage: must be at least 500ms"),
    ({"stage": 0}, "stage: must be at least 500ms"),
    ({"warm_up": "a while"}, "warm_up: "),
    ({"start_rate": "fast"}, "start_rate: "),
    ({"start_rate": 200, "max_rate": 100}, "max_rate: must be at least start_rate"),
    ({"objectives": "p99 < 250"}, "objectives: \"p99 < 250\": "),
    ({"objectives": ["p99 < 250ms", "latncy.p99 < 1s"]}, "objectives: \"latncy.p99 < 1s\": "),
    ({"clients": 0}, "clients: must be at least 1"),
    ({"max_streams": 0}, "max_streams: must be at least 1"),
    ({"clients": 1, "threads": 2}, "threads: must not exceed clients"),
    ({"threads": 0}, "threads: must be at least 1"),
    ({"target_pid": 0}, "target_pid: must be a process id"),
    ({"headers": ["no colon"]}, "headers: want \"name: value\""),
])
def test_bad_values_raise_value_error_naming_the_keyword(options, message):
    with pytest.raises(ValueError) as e:
        h2soak.capacity("http://127.0.0.1:9/", **options)
    assert str(e.value).startswith(message), str(e.value)


def test_bad_types_and_urls():
    with pytest.raises(TypeError, match="capacity\\(\\) got an unexpected keyword argument 'connections'"):
        h2soak.capacity("http://127.0.0.1:9/", connections=2)  # capacity says clients, as bench does
    with pytest.raises(TypeError, match="growth must be a number"):
        h2soak.capacity("http://127.0.0.1:9/", growth="2")
    with pytest.raises(TypeError, match="refine must be an int"):
        h2soak.capacity("http://127.0.0.1:9/", refine=2.5)
    with pytest.raises(TypeError, match="urls must be a str or a list of str"):
        h2soak.capacity(42)
    with pytest.raises(ValueError, match="^urls: "):
        h2soak.capacity("ftp://127.0.0.1/")
    with pytest.raises(ValueError, match="^urls: give at least one URL"):
        h2soak.capacity([])


def test_capacity_section_of_a_loaded_result():
    doc = synthetic_result.make_capacity_result(seed=1, ceiling=520)  # 100 200 400 | 800 600 500 550
    doc["capacity"]["stages"][0]["latency"]["p999"] = None  # a stage that completed nothing has no percentiles
    r = h2soak.loads_result(json.dumps(doc))
    c = r.capacity
    assert (c.capacity, c.interval, c.stop, c.first_broken) == (500, (500, 550), "refined", "drop_rate < 0.1%")
    assert [s.offered for s in c.stages] == [100, 200, 400, 800, 600, 500, 550]
    first = c.stages[0]
    assert first.passed and first.broken == "" and first.p999 is None
    assert math.isclose(first.p99, doc["capacity"]["stages"][0]["latency"]["p99"])
    assert first.target_cpu is not None and first.target_threads_peak == 2
    assert not c.stages[3].passed and c.stages[3].stopped_early
    doc.pop("capacity")
    assert h2soak.loads_result(json.dumps(doc)).capacity is None
