"""The deliberate leaks (--fault): each does what `--fault list` says, measured from outside
(/proc of the server process) and from the fault's own counters in /metrics, which must
agree. Traffic goes to 127.0.0.1 only; every loop is bounded.
"""
import re
import subprocess
import time

import pytest

from conftest import BIN, curl, h2_open

FAULTS = ["template-reparse", "session-no-evict", "sse-thread-leak", "upload-retain", "pool-no-reset",
          "fd-leak", "no-stream-limit", "context-retain"]


def h2load(url, n):
    """n GETs of url over one h2c connection, one at a time, all answered 2xx."""
    r = subprocess.run(["h2load", "-n", str(n), "-c", "1", "-m", "1", url], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and re.search(rf"status codes: {n} 2xx", r.stdout), r.stdout + r.stderr


def settled_fds(server, expected, timeout=5.0):
    """The server's open descriptors once they equal expected, or the last count at the timeout."""
    deadline = time.monotonic() + timeout
    fds = server.proc_status()["fds"]
    while fds != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        fds = server.proc_status()["fds"]
    return fds


def leaked(server, name):
    m = server.metrics()
    for key, value in m.items():
        if key.startswith("h2soak_target_fault_leaked{") and f'name="{name}"' in key:
            return value
    raise AssertionError(f"no h2soak_target_fault_leaked for {name}: {sorted(m)}")


def events(server, name):
    return server.metrics()[f'h2soak_target_fault_events_total{{name="{name}"}}']


def test_list_names_every_fault_with_its_rate():
    out = subprocess.run([BIN, "--fault", "list"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, out.stderr
    for name in FAULTS:
        assert re.search(rf"^{re.escape(name)}\s+\S", out.stdout, re.M), out.stdout
    assert out.stdout.count("default rate:") == len(FAULTS)


@pytest.mark.parametrize("args, message", [
    (["--fault", "no-such-leak"], "unknown --fault 'no-such-leak'"),
    (["--fault", "fd-leak:zero"], "not a number"),
    (["--fault", "fd-leak:0"], "not a number"),
    (["--fault", "fd-leak", "--fault", "fd-leak:2"], "given twice"),
])
def test_bad_fault_arguments_are_usage_errors(args, message):
    out = subprocess.run([BIN, "--port", "0", *args], capture_output=True, text=True, timeout=10)
    assert out.returncode == 2
    assert message in out.stderr


def test_clean_server_exports_no_fault_metrics(server):
    assert not [k for k in server.metrics() if k.startswith("h2soak_target_fault")]


def test_metrics_say_which_faults_are_on(start_server):
    s = start_server("--no-tls", "--fault", "fd-leak", "--fault", "upload-retain:0.5")
    m = s.metrics()
    assert m['h2soak_target_fault{name="fd-leak"}'] == 1
    assert m['h2soak_target_fault{name="upload-retain"}'] == 1
    assert m['h2soak_target_fault_scale{name="upload-retain"}'] == 0.5
    assert m['h2soak_target_fault_leaked{name="fd-leak",unit="fds"}'] == 0


def test_fd_leak_opens_one_descriptor_per_asset(start_server):
    s = start_server("--no-tls", "--fault", "fd-leak")
    before = s.proc_status()["fds"]
    n = 40
    h2load(s.url("/static/css/site-1.css"), n)
    # The client's own connection may still hold a descriptor for a moment after h2load exits
    # (the server closes it on its next read), so wait for the count to reach its settled value;
    # a fault that leaked any other number never reaches it and fails.
    assert settled_fds(s, before + n) == before + n
    assert leaked(s, "fd-leak") == n
    # A page is not an asset: no descriptor for it.
    assert curl("--http2-prior-knowledge", "-o", "/dev/null", s.url("/page/1")).returncode == 0
    assert settled_fds(s, before + n) == before + n


def test_sse_thread_leak_keeps_a_thread_per_stream_after_the_client_left(start_server):
    s = start_server("--no-tls", "--sse-interval", "50ms", "--fault", "sse-thread-leak")
    idle = s.proc_status()["threads"]
    n = 12
    for _ in range(n):  # each curl opens /events, reads a little and leaves
        curl("--http2-prior-knowledge", "-o", "/dev/null", s.url("/events"), timeout=1)
    ok, _ = s.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 0)
    assert ok, "the SSE streams themselves must still close"
    assert s.proc_status()["threads"] - idle == n
    assert leaked(s, "sse-thread-leak") == n


def test_upload_retain_keeps_every_body(start_server, tmp_path):
    s = start_server("--no-tls", "--fault", "upload-retain")
    body = tmp_path / "body"
    body.write_bytes(b"u" * (1 << 20))
    rss0 = s.proc_status()["rss_kib"]
    for _ in range(8):
        r = curl("--http2-prior-knowledge", "--data-binary", f"@{body}", s.url("/upload"))
        assert r.returncode == 0 and b'"size":1048576' in r.stdout, r
    assert leaked(s, "upload-retain") == 8 << 20
    time.sleep(1.5)  # past the idle malloc trim: the bodies are still referenced
    assert s.proc_status()["rss_kib"] - rss0 >= 7 * 1024


def test_scale_spreads_the_rate(start_server, tmp_path):
    s = start_server("--no-tls", "--fault", "upload-retain:0.5")
    body = tmp_path / "body"
    body.write_bytes(b"v" * 1000)
    for _ in range(10):
        assert curl("--http2-prior-knowledge", "--data-binary", f"@{body}", s.url("/upload")).returncode == 0
    assert events(s, "upload-retain") == 5
    assert leaked(s, "upload-retain") == 5000


@pytest.mark.parametrize("name, path", [("template-reparse", "/page/3"), ("pool-no-reset", "/page/3"),
                                        ("context-retain", "/page/3"), ("session-no-evict", "/")])
def test_memory_faults_commit_once_per_request(start_server, name, path):
    s = start_server("--no-tls", "--fault", name)
    n = 25
    h2load(s.url(path), n)
    assert events(s, name) == n  # /metrics itself is never counted
    assert leaked(s, name) > 0


def test_session_no_evict_spares_requests_with_a_session(start_server):
    s = start_server("--no-tls", "--fault", "session-no-evict")
    for _ in range(5):
        assert curl("--http2-prior-knowledge", "-o", "/dev/null", "-H", "cookie: sid=abc",
                    s.url("/page/1")).returncode == 0
    assert events(s, "session-no-evict") == 0


def test_no_stream_limit_keeps_idle_connections_and_per_stream_state(start_server):
    s = start_server("--no-tls", "--idle-timeout", "300ms", "--fault", "no-stream-limit")
    sock = h2_open(s.port, ["/page/1"] * 5)
    try:
        ok, _ = s.wait_metric('h2soak_target_fault_events_total{name="no-stream-limit"}', lambda v: v == 5)
        assert ok
        held = leaked(s, "no-stream-limit")
        assert held >= 5 * 1024
        time.sleep(1.0)  # well past the 300 ms idle timeout the fault switched off
        assert s.metrics()["h2soak_target_connections_active"] >= 1
        assert leaked(s, "no-stream-limit") == held
    finally:
        sock.close()
    ok, _ = s.wait_metric('h2soak_target_fault_leaked{name="no-stream-limit",unit="bytes"}', lambda v: v == 0)
    assert ok, "the kept state goes with its connection"


def test_no_stream_limit_advertises_no_useful_limit(start_server):
    s = start_server("--no-tls", "--max-concurrent-streams", "10", "--fault", "no-stream-limit")
    out = subprocess.run(["nghttp", "-nv", s.url("/")], capture_output=True, text=True, timeout=20)
    received = out.stdout.split("recv SETTINGS", 1)[-1]
    m = re.search(r"SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):(\d+)", received)
    assert m and int(m.group(1)) >= 1 << 30, out.stdout
