"""h2soak.bench against the reference server (real load on loopback, a few s).

Registered in CTest with test_run.py as py_h2soak_run_pytest (RUN_SERIAL).
The module-scoped fixture starts h2soak.DEFAULT_REFERENCE_BINARY (or
$H2SOAK_TARGET_BIN) on a free port and stops it by its pid.
"""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

import h2soak


@pytest.fixture(scope="module")
def port():
    binary = os.environ.get("H2SOAK_TARGET_BIN") or h2soak.DEFAULT_REFERENCE_BINARY
    proc = subprocess.Popen([binary, "--port", "0", "--threads", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()  # the bound port, alone on the first line
        assert line.strip().isdigit(), f"{binary} printed {line!r}"
        yield int(line)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def counters(result):
    return result.workload("bench").merged().counters


def test_bench_h2c_runs_every_request(port):
    r = h2soak.bench(f"http://127.0.0.1:{port}/", requests=200, clients=2, max_streams=4)
    assert isinstance(r, h2soak.Result)
    assert r.completed, r.status_reason
    assert r.metadata["scenario_name"] == "bench"
    assert r.metadata["extra"]["driver"] == "python"
    assert [w.kind for w in r.workloads] == ["bench"]
    assert r.workload("bench").phase_names == ["warmup", "steady"]
    c = counters(r)
    assert c["requests"]["done"] == 200
    assert c["requests"]["succeeded"] == 200
    assert c["connections"]["opened"] == 2
    params = r.workload("bench").params
    assert (params["clients"], params["max_streams"], params["model"]) == ("2", "4", "closed")
    assert "requests: 200 total" in r.summary
    assert r.path is None


def test_bench_tls_round_robin_post_and_json(port, tmp_path):
    out = tmp_path / "bench.json"
    r = h2soak.bench([f"https://127.0.0.1:{port}/", f"https://127.0.0.1:{port}/page/1"], requests=200,
                     clients=4, max_streams=8, threads=2, insecure=True, method="GET",
                     headers={"x-test": "1"}, json=out)
    assert r.completed, r.status_reason
    assert counters(r)["requests"]["succeeded"] == 200
    assert r.workload("bench").params["threads"] == "2"
    assert r.path == str(out)
    again = h2soak.load_result(out)
    assert again.workload("bench").merged().counters == counters(r)
    with open(out) as f:
        assert json.load(f)["workloads"][0]["params"]["urls"].count("https://") == 2


def test_bench_h1_with_a_body(port):
    r = h2soak.bench(f"http://127.0.0.1:{port}/upload", requests=40, clients=2, h1=True, data_size="1KiB")
    assert r.completed, r.status_reason
    params = r.workload("bench").params
    assert params["method"] == "POST" and params["body_bytes"] == "1024"
    assert counters(r)["requests"]["done"] == 40 and counters(r)["requests"]["succeeded"] == 40
    assert counters(r)["bytes"]["out"] >= 40 * 1024


def test_bench_duration_releases_the_gil(port):
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.01)

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.monotonic()
    try:
        r = h2soak.bench(f"http://127.0.0.1:{port}/", duration=1.5, warm_up_time="0.5s", clients=2,
                         max_streams=2, rate="200/s")
    finally:
        done.set()
        ticker.join()
    assert 1.9 < time.monotonic() - started < 10
    assert len(ticks) > 100  # ~2 s of run at 100 ticks/s
    assert r.completed, r.status_reason
    assert r.workload("bench").params["model"] == "open-constant"
    steady = r.workload("bench").phases["steady"].counters["requests"]
    assert 150 <= steady["done"] + steady["dropped"] <= 450  # 200/s over 1.5 s


def test_keyboard_interrupt_stops_the_bench(port):
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt) as e:
            h2soak.bench(f"http://127.0.0.1:{port}/", duration="20s", clients=1)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10
    assert e.value.result is not None and e.value.result.status == "aborted"
    assert e.value.result.status_reason == "interrupted"


def test_start_at_starts_the_load_then(port):
    at = time.time() + 1.0
    r = h2soak.bench(f"http://127.0.0.1:{port}/", requests=20, clients=2, start_at=at)
    assert r.completed, r.status_reason
    assert r.metadata["extra"]["start_at"] == f"{at:.3f}"
    assert at - 0.01 <= r.metadata["start_unix"] < at + 0.5
    assert abs(float(r.metadata["extra"]["start_lag_ms"])) < 500
    again = h2soak.bench(f"http://127.0.0.1:{port}/", requests=2, start_at="+0.3")
    assert float(again.metadata["extra"]["start_at"]) - 0.01 <= again.metadata["start_unix"] < time.time()


def test_poisson_shards_started_together(port):
    # Two shards of one open-model Poisson bench, run side by side (the GIL is
    # released) with one start_at: each sends its half, both start at T, and
    # both carry the whole run's options (the hash `h2soak merge` checks).
    at = time.time() + 1.0
    results = {}

    def shard(i):
        results[i] = h2soak.bench(f"http://127.0.0.1:{port}/", requests=100, clients=2, rate="200/s",
                                  poisson=True, shard=f"{i}/2", start_at=at)

    threads = [threading.Thread(target=shard, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [1, 2]
    for r in results.values():
        assert r.completed, r.status_reason
        assert r.metadata["extra"]["start_at"] == f"{at:.3f}"
        assert abs(r.metadata["start_unix"] - at) < 0.5
        params = r.workload("bench").params
        assert (params["model"], params["requests"], params["rate"]) == ("open-poisson", "50", "100")
        assert counters(r)["requests"]["done"] + counters(r)["requests"]["dropped"] == 50
    assert results[1].metadata["scenario_hash"] == results[2].metadata["scenario_hash"] != ""


def test_unreachable_target_raises_run_error():
    with pytest.raises(h2soak.RunError, match="no connection to http://127.0.0.1:9/") as e:
        h2soak.bench("http://127.0.0.1:9/", requests=1, connect_timeout="2s")
    assert isinstance(e.value, RuntimeError)
    assert e.value.result.status == "aborted"


@pytest.mark.parametrize("options, message", [
    ({"requests": 0}, "requests: must be at least 1"),
    ({"requests": 1, "clients": 2}, "requests: must be at least clients"),
    ({"clients": 1, "threads": 2}, "threads: must not exceed clients"),
    ({"rate": "fast"}, "rate: "),
    ({"poisson": True}, "poisson: needs rate"),
    ({"max_frame_size": 100}, "max_frame_size: must be within 16384..16777215"),
    ({"window_bits": 31}, "window_bits: must be within 0..30"),
    ({"duration": "ten"}, "duration: "),
    ({"headers": ["no colon"]}, "headers: want \"name: value\""),
    ({"data": "/nonexistent/body", "data_size": 10}, "data: give data"),
    ({"shard": "3/2"}, "shard: expected i/N with 1 <= i <= N, got \"3/2\""),
    ({"start_at": "soon"}, "start_at: expected UNIX_SECONDS"),
    ({"start_at": 1000000000}, "start_at: 1000000000.000 is"),
    ({"start_at": "+7200"}, "start_at: "),
])
def test_bad_options_raise_value_error(options, message):
    with pytest.raises(ValueError) as e:
        h2soak.bench("http://127.0.0.1:9/", **options)
    assert str(e.value).startswith(message), str(e.value)


def test_bad_types_and_urls():
    with pytest.raises(TypeError, match="unexpected keyword argument 'clinets'"):
        h2soak.bench("http://127.0.0.1:9/", clinets=2)
    with pytest.raises(TypeError):
        h2soak.bench("http://127.0.0.1:9/", requests="many")
    with pytest.raises(TypeError, match="headers must be"):
        h2soak.bench("http://127.0.0.1:9/", headers="x-a: 1")
    with pytest.raises(TypeError, match="start_at must be a number or a str"):
        h2soak.bench("http://127.0.0.1:9/", start_at=True)
    with pytest.raises(ValueError, match="url: "):
        h2soak.bench("ftp://127.0.0.1/")
    with pytest.raises(ValueError, match="must share scheme, host and port"):
        h2soak.bench(["http://127.0.0.1:9/", "http://127.0.0.1:10/"])
