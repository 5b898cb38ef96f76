"""The clean-server property (label "clean"): after a bounded mixed load and a short
cooldown, the server's thread and fd counts equal their idle values exactly and its RSS is
within 8 MiB of its post-start level.

Load (all on 127.0.0.1, every step bounded in count and time):
  * 20,000 requests over pages and assets with h2load (h2c and TLS, 10 connections x 10 streams);
  * 200 SSE streams opened and dropped by connection close (h2load -D), plus 20 by RST_STREAM;
  * 50 uploads of 1 MiB (h2load -d over h2c, curl over HTTP/1.1).
"""
import os
import re
import subprocess
import time

from conftest import connect, curl, h2_open, h2_rst

RSS_MARGIN_KIB = 8 * 1024


def h2load(*args, timeout=60):
    r = subprocess.run(["h2load", *args], capture_output=True, timeout=timeout)
    assert r.returncode == 0, r.stderr.decode()
    out = r.stdout.decode()
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed", out)
    assert m, out
    return [int(x) for x in m.groups()], out


def settle(server, idle, timeout=10.0):
    """Waits (bounded) until threads and fds are back at their idle values and one trim tick passed."""
    deadline = time.monotonic() + timeout
    st = server.proc_status()
    while time.monotonic() < deadline:
        st = server.proc_status()
        if st["threads"] == idle["threads"] and st["fds"] == idle["fds"]:
            break
        time.sleep(0.1)
    time.sleep(2.5)  # the server trims malloc arenas on its 1 s tick once idle
    return server.proc_status()


def test_clean_after_mixed_load(start_server, tmp_path):
    server = start_server("--threads", "2")
    # Post-start level: after one request (workers, templates and TLS context all warm).
    curl("--http1.1", "-o", "/dev/null", server.url("/page/1"))
    curl("-k", "--http2", "-o", "/dev/null", server.url("/page/1", "https"))
    idle = settle(server, server.proc_status(), timeout=2)
    assert idle["threads"] == 3  # main + 2 workers

    base = server.url("")
    urls = [base + p for p in ("/", "/page/1", "/page/2", "/page/5", "/page/9", "/page/14", "/static/css/site-0.css",
                               "/static/js/app-3.js", "/static/img/pic-4.png", "/static/img/pic-12.png",
                               "/static/bench-2k.html", "/login?user=load")]
    (total, _, done, ok, failed), _ = h2load("-n", "10000", "-c", "10", "-m", "10", *urls)
    assert ok == 10000 and failed == 0
    tls_urls = [u.replace("http://", "https://") for u in urls]
    (total, _, done, ok, failed), _ = h2load("-n", "10000", "-c", "10", "-m", "10", *tls_urls)
    assert ok == 10000 and failed == 0

    # 200 SSE streams held ~1 s, then dropped by closing the connections (h2load -D).
    h2load("-c", "4", "-m", "50", "-D", "1", server.url("/events"), timeout=30)
    # 20 more reset one by one with RST_STREAM on a connection that stays open meanwhile.
    sock = h2_open(server.port, ["/events"] * 20)
    ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 20, timeout=5)
    assert ok
    for i in range(20):
        h2_rst(sock, 2 * i + 1)
    ok, _ = server.wait_metric("h2soak_target_sse_streams_active", lambda v: v == 0, timeout=2)
    assert ok
    sock.close()

    payload = tmp_path / "one_mib"
    payload.write_bytes(os.urandom(1 << 20))
    (total, _, done, ok, failed), _ = h2load("-n", "25", "-c", "5", "-m", "5", "-d", str(payload),
                                            server.url("/upload"))
    assert ok == 25
    r = curl("--http1.1", "-H", "Expect:", "-o", "/dev/null", "-w", "%{http_code}\n",
             *sum((["--data-binary", f"@{payload}", server.url("/upload"), "--next", "--http1.1", "-H", "Expect:",
                    "-o", "/dev/null", "-w", "%{http_code}\n"] for _ in range(24)), []),
             "--data-binary", f"@{payload}", server.url("/upload"), timeout=60)
    assert r.stdout.decode().split() == ["200"] * 25

    m = server.metrics()
    assert m["h2soak_target_upload_bytes_total"] == 50 * (1 << 20)
    # Only the scrape's own connection, once earlier ones are seen closing
    # (the server learns of a close asynchronously).
    ok, _ = server.wait_metric("h2soak_target_connections_active", lambda v: v == 1, timeout=2.0)
    assert ok, "client connections still counted after the load"
    assert m["h2soak_target_sse_streams_active"] == 0

    after = settle(server, idle)
    print(f"idle={idle} after={after}")
    assert after["threads"] == idle["threads"], (idle, after)
    assert after["fds"] == idle["fds"], (idle, after)
    assert after["rss_kib"] - idle["rss_kib"] <= RSS_MARGIN_KIB, (idle, after)
    # Nothing is left behind in the server's own view either.
    m = server.metrics()
    assert m["h2soak_target_streams_active"] == 1 and m["h2soak_target_sse_streams_active"] == 0
