"""/events: events at the interval, Last-Event-ID, and release of every resource of a stream
as soon as its client goes away (RST_STREAM, connection close, process killed)."""
import re
import subprocess
import time

import pytest

from conftest import PROTOCOLS, curl, h2_open, h2_rst


def events(data):
    return [int(i) for i in re.findall(rb"^id: (\d+)$", data, re.M)]


@pytest.mark.parametrize("proto", ["h1", "h2c", "h2"])
def test_events_arrive_at_the_interval(start_server, proto):
    server = start_server("--sse-interval", "100ms")
    opts, scheme, _ = PROTOCOLS[proto]
    r = curl(*opts, "-N", "-D", "-", "--max-time", "1.2", server.url("/events", scheme), timeout=1.2)
    assert re.search(rb"(?i)content-type: text/event-stream", r.stdout)
    ids = events(r.stdout)
    # One at once, then one per 100 ms (fewer if the client was slow to start).
    assert 5 <= len(ids) <= 14, ids
    assert ids == list(range(1, len(ids) + 1))
    stamps = []
    for m in re.finditer(rb"^data: (.*)$", r.stdout, re.M):
        assert re.fullmatch(rb'\{"seq":\d+,"ts_ms":\d+\}', m.group(1))
        stamps.append(int(re.search(rb'"ts_ms":(\d+)', m.group(1)).group(1)))
    gaps = sorted(b - a for a, b in zip(stamps[1:], stamps[2:]))  # the first event is immediate
    assert 85 <= gaps[len(gaps) // 2] <= 130, gaps


def test_last_event_id_continues_after_it(server):
    r = curl("--http2-prior-knowledge", "-N", "-H", "Last-Event-ID: 41", "--max-time", "0.35",
             server.url("/events"), timeout=0.35)
    ids = events(r.stdout)
    assert ids[:3] == [42, 43, 44]


def test_interval_is_configurable(start_server):
    server = start_server("--sse-interval", "0.02")
    r = curl("--http1.1", "-N", "--max-time", "0.5", server.url("/events"), timeout=0.5)
    assert len(events(r.stdout)) >= 15


def gauges(server):
    m = server.metrics()
    return (m["h2soak_target_sse_streams_active"], m["h2soak_target_streams_active"],
            m["h2soak_target_connections_active"])


@pytest.mark.parametrize("proto", ["h1", "h2c", "h2"])
def test_stream_released_within_1s_after_client_killed(server, proto):
    opts, scheme, _ = PROTOCOLS[proto]
    client = subprocess.Popen(["curl", "-s", "-N", "--max-time", "20", *opts, server.url("/events", scheme)],
                              stdout=subprocess.PIPE)
    try:
        ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 1, timeout=5)
        assert ok
        client.stdout.readline()  # an event has arrived
    finally:
        client.kill()  # by PID: the process we started
        client.wait(5)
        client.stdout.close()
    t0 = time.monotonic()
    ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 0, timeout=1.0)
    assert ok, "SSE stream still active 1 s after its client died"
    assert time.monotonic() - t0 < 1.0
    # Only the scrape itself is left, once the dead client's connection has
    # been seen closing (the server learns of it asynchronously).
    ok, _ = server.wait_metric("h2soak_target_connections_active", lambda v: v == 1, timeout=1.0)
    assert ok, f"the dead client's connection is still counted: {gauges(server)}"
    # (A snapshot right after that scrape may still count the scrape's own
    # previous connection, so each gauge is awaited rather than read once.)
    ok, _ = server.wait_metric("h2soak_target_streams_active", lambda v: v == 1, timeout=1.0)
    assert ok, f"streams other than the scrape's own remain: {gauges(server)}"


def test_rst_stream_releases_stream_and_keeps_connection(server):
    sock = h2_open(server.port, ["/events", "/events", "/events"])
    try:
        ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 3, timeout=5)
        assert ok
        h2_rst(sock, 3)
        ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 2, timeout=1.0)
        assert ok, "RST_STREAM did not release the stream within 1 s"
        h2_rst(sock, 1)
        h2_rst(sock, 5)
        ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 0, timeout=1.0)
        assert ok
        # The h2 connection is still open (plus the scrape's own). An earlier
        # scrape's connection may still be closing, so wait for the count to
        # settle; had the RSTs closed our connection it would settle at 1.
        ok, _ = server.wait_metric("h2soak_target_connections_active", lambda v: v == 2, timeout=1.0)
        assert ok, f"connections did not settle at 2: {gauges(server)}"
        ok, _ = server.wait_metric("h2soak_target_streams_active", lambda v: v == 1, timeout=1.0)
        assert ok, f"streams other than the scrape's own remain: {gauges(server)}"
    finally:
        sock.close()
    ok, _ = server.wait_metric("h2soak_target_connections_active", lambda v: v == 1, timeout=1.0)
    assert ok


def test_many_streams_on_one_connection_released_on_close(server):
    sock = h2_open(server.port, ["/events"] * 50)
    try:
        ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 50, timeout=5)
        assert ok
    finally:
        sock.close()
    ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 0, timeout=1.0)
    assert ok
    ok, _ = server.wait_metric("h2soak_target_connections_active", lambda v: v == 1, timeout=1.0)
    assert ok, f"the closed connection is still counted: {gauges(server)}"
    ok, _ = server.wait_metric("h2soak_target_streams_active", lambda v: v == 1, timeout=1.0)
    assert ok, f"streams other than the scrape's own remain: {gauges(server)}"


def test_max_concurrent_streams_is_enforced(start_server):
    server = start_server("--max-concurrent-streams", "10")
    sock = h2_open(server.port, ["/events"] * 12)
    try:
        time.sleep(0.5)
        assert server.metrics()["h2soak_target_sse_streams_active"] <= 10
    finally:
        sock.close()
