"""Flags, timeouts, connection limits, protocol narrowing and graceful shutdown."""
import os
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import BIN, H2_PREFACE, Server, connect, curl, h2_frame, h2_get_headers, wait_closed


def run_bin(*args):
    return subprocess.run([BIN, *args], capture_output=True, timeout=10)


def test_help_exits_0():
    r = run_bin("--help")
    assert r.returncode == 0
    for flag in (b"--port", b"--sse-interval", b"--upload-limit", b"--idle-timeout", b"--grace", b"--fault"):
        assert flag in r.stdout


@pytest.mark.parametrize("args", [["--bogus"], ["--port", "abc"], ["--idle-timeout", "soon"],
                                  ["--upload-limit", "huge"], ["--threads", "0"], ["--no-tls", "--tls-only"]])
def test_bad_usage_exits_2(args):
    r = run_bin("--port", "0", *args)
    assert r.returncode == 2, r
    assert b"Usage" in r.stderr or b"usage" in r.stderr.lower() or r.stderr


def test_unknown_fault_is_rejected_clearly():
    r = run_bin("--port", "0", "--fault", "template-reparsed")
    assert r.returncode == 2
    assert b"unknown --fault 'template-reparsed'" in r.stderr and b"template-reparse," in r.stderr


def test_idle_h1_connection_closed_after_idle_timeout(start_server):
    server = start_server("--idle-timeout", "500ms")
    s = connect(server.port)
    s.sendall(b"GET /page/1 HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(5)
    assert s.recv(65536).startswith(b"HTTP/1.1 200")
    waited = wait_closed(s, 5)
    assert waited is not None and 0.3 <= waited <= 3.0, waited
    assert server.metrics()["h2soak_target_timeouts_total"] >= 1


def test_idle_h2_connection_gets_goaway_then_close(start_server):
    server = start_server("--idle-timeout", "500ms")
    s = connect(server.port)
    s.sendall(H2_PREFACE + h2_frame(4, 0, 0))
    data = b""
    start = time.monotonic()
    s.settimeout(0.05)
    closed_after = None
    while time.monotonic() - start < 5:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            closed_after = time.monotonic() - start
            break
        data += chunk
    assert closed_after is not None and 0.3 <= closed_after <= 3.0, closed_after
    # A GOAWAY frame (type 7) was sent before the close.
    types, i = [], 0
    while i + 9 <= len(data):
        n = int.from_bytes(data[i:i + 3], "big")
        types.append(data[i + 3])
        i += 9 + n
    assert 7 in types, types


def test_slow_request_headers_hit_read_timeout(start_server):
    server = start_server("--read-timeout", "400ms", "--idle-timeout", "30s")
    s = connect(server.port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    for _ in range(3):  # trickling bytes does not extend the deadline
        time.sleep(0.1)
        s.sendall(b"X-A: b\r\n")
    waited = wait_closed(s, 5)
    assert waited is not None and waited <= 3.0, waited


def test_silent_tls_and_silent_plain_connections_hit_read_timeout(start_server):
    server = start_server("--read-timeout", "400ms")
    silent = connect(server.port)
    half_tls = connect(server.port)
    half_tls.sendall(b"\x16\x03\x01\x00\x05")  # the start of a ClientHello, never finished
    assert wait_closed(silent, 3) is not None
    assert wait_closed(half_tls, 3) is not None


def test_max_connections(start_server):
    server = start_server("--max-connections", "2")
    a, b = connect(server.port), connect(server.port)
    time.sleep(0.2)
    c = connect(server.port)
    assert wait_closed(c, 2) is not None  # refused at once
    for s in (a, b):
        s.sendall(b"GET /page/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.settimeout(5)
        assert s.recv(100).startswith(b"HTTP/1.1 200")


def test_no_tls_and_tls_only(start_server):
    plain = start_server("--no-tls")
    assert curl("--http1.1", "-o", "/dev/null", "-w", "%{http_code}", plain.url("/")).stdout == b"200"
    assert curl("-k", "--http2", "-o", "/dev/null", "-w", "%{http_code}", plain.url("/", "https")).stdout == b"000"
    tls = start_server("--tls-only")
    assert curl("-k", "--http2", "-o", "/dev/null", "-w", "%{http_code}", tls.url("/", "https")).stdout == b"200"
    assert curl("--http1.1", "-o", "/dev/null", "-w", "%{http_code}", tls.url("/")).stdout == b"000"


def test_cert_and_key_files(start_server, tmp_path):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    server = start_server("--cert", str(cert), "--key", str(key))
    r = curl("--cacert", str(cert), "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
             server.url("/", "https"))
    assert r.stdout == b"200 2"


def test_alpn_http11_fallback(server):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    with ctx.wrap_socket(connect(server.port)) as s:
        assert s.selected_alpn_protocol() == "http/1.1"
        s.sendall(b"GET /page/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 200")


def test_sigterm_idle_exits_0_quickly_and_removes_pidfile(tmp_path):
    pidfile = tmp_path / "pid"
    server = Server("--pidfile", str(pidfile))
    try:
        assert int(pidfile.read_text()) == server.pid
        t0 = time.monotonic()
        os.kill(server.pid, signal.SIGTERM)
        assert server.proc.wait(5) == 0
        assert time.monotonic() - t0 < 2.0
        assert not pidfile.exists()
    finally:
        server.stop()


@pytest.mark.parametrize("opts,scheme", [(["--http2-prior-knowledge"], "http"), (["--http1.1"], "http"),
                                         (["--http2", "-k"], "https")])
def test_sigterm_ends_sse_and_exits_0_within_grace(opts, scheme):
    server = Server("--grace", "2s")
    try:
        client = subprocess.Popen(["curl", "-s", "-N", "--max-time", "20", *opts, server.url("/events", scheme)],
                                  stdout=subprocess.PIPE)
        try:
            assert client.stdout.readline().startswith(b"id: 1")
            t0 = time.monotonic()
            os.kill(server.pid, signal.SIGTERM)
            assert server.proc.wait(3) == 0
            assert time.monotonic() - t0 < 2.0
            # The stream was ended properly, not cut: curl exits 0.
            assert client.wait(5) == 0
        finally:
            if client.poll() is None:
                client.kill()
                client.wait(5)
            client.stdout.close()
    finally:
        server.stop()


def test_sigterm_lets_a_slow_download_finish(tmp_path):
    server = Server("--grace", "3s")
    try:
        # A large page read slowly: still in flight when SIGTERM arrives.
        client = subprocess.Popen(["curl", "-s", "--http2-prior-knowledge", "--limit-rate", "200k", "-o",
                                   str(tmp_path / "out"), "-w", "%{http_code} %{size_download}",
                                   server.url("/page/20")], stdout=subprocess.PIPE)
        time.sleep(0.3)
        os.kill(server.pid, signal.SIGTERM)
        out, _ = client.communicate(timeout=10)
        code, size = out.split()
        assert code == b"200" and int(size) >= 200 * 1024
        assert server.proc.wait(5) == 0
    finally:
        server.stop()


# ---- hostile peers: a closed peer releases everything at once, a stalled one is bounded ----

ZERO_WINDOW = h2_frame(4, 0, 0, b"\x00\x04\x00\x00\x00\x00")  # SETTINGS_INITIAL_WINDOW_SIZE = 0


def h2_hostile(port, settings, paths, end_stream=True):
    s = connect(port)
    s.sendall(H2_PREFACE + settings)
    for i, path in enumerate(paths):
        s.sendall(h2_frame(1, 0x4 | (0x1 if end_stream else 0), 2 * i + 1, h2_get_headers(path)))
    return s


def wait_gauges_zero(server, timeout):
    deadline = time.monotonic() + timeout
    m = {}
    while time.monotonic() < deadline:
        m = server.metrics()
        # the scrape itself is one h1 connection with one request in flight
        if m["h2soak_target_connections_active"] <= 1 and m["h2soak_target_streams_active"] <= 1:
            return True, m
        time.sleep(0.05)
    return False, m


@pytest.mark.parametrize("case", ["zero-window", "upload-stopped"])
def test_closed_peer_with_unfinished_streams_is_released_at_once(start_server, case):
    server = start_server("--no-tls", "--idle-timeout", "30s", "--read-timeout", "30s")
    rss0 = server.proc_status()["rss_kib"]
    socks = []
    for _ in range(10):
        if case == "zero-window":  # 20 pages of up to 200 KiB that can never be sent
            socks.append(h2_hostile(server.port, ZERO_WINDOW, [f"/page/{n}" for n in range(1, 21)]))
        else:  # uploads whose body never comes
            socks.append(h2_hostile(server.port, h2_frame(4, 0, 0), ["/upload"] * 5, end_stream=False))
    ok, m = server.wait_metric("h2soak_target_streams_active", lambda v: v >= 50, timeout=5)
    assert ok, m
    for s in socks:
        s.close()
    ok, m = wait_gauges_zero(server, 2.0)  # far below every timeout: EOF alone must do it
    assert ok, f"connections/streams kept after the peers left: {m}"
    assert server.proc_status()["fds"] < 20


def test_stalled_open_peer_is_bounded_by_the_idle_timeout(start_server):
    server = start_server("--no-tls", "--idle-timeout", "1s", "--read-timeout", "30s")
    s = h2_hostile(server.port, ZERO_WINDOW, ["/page/20", "/events"])
    try:
        ok, _ = server.wait_metric("h2soak_target_streams_active", lambda v: v >= 2, timeout=5)
        assert ok
        waited = wait_closed(s, 6)
        assert waited is not None, "a peer that never opens its window must not hold the server"
        assert waited >= 0.9
    finally:
        s.close()
    ok, m = wait_gauges_zero(server, 2.0)
    assert ok, m


def test_request_that_stops_midway_is_bounded_by_the_read_timeout(start_server):
    server = start_server("--no-tls", "--idle-timeout", "30s", "--read-timeout", "1s")
    s = h2_hostile(server.port, h2_frame(4, 0, 0), ["/upload"], end_stream=False)
    try:
        waited = wait_closed(s, 6)
        assert waited is not None and 0.9 <= waited <= 5
    finally:
        s.close()


def test_open_sse_stream_that_reads_is_not_timed_out(start_server):
    server = start_server("--no-tls", "--idle-timeout", "500ms", "--sse-interval", "100ms")
    r = curl("--http2-prior-knowledge", "-N", server.url("/events"), timeout=2)
    assert r.stdout.count(b"id: ") >= 15, r.stdout[-200:]  # ran the full 2 s, well past 500 ms
