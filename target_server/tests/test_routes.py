"""Every route over every protocol, with Debian's curl and nghttp as independent clients."""
import re
import socket
import subprocess

import pytest

from conftest import PROTOCOLS, connect, curl

PROTOS = list(PROTOCOLS)


def get(server, proto, path, *extra):
    opts, scheme, _ = PROTOCOLS[proto]
    r = curl(*opts, *extra, "-w", "\n%{http_code} %{http_version}", server.url(path, scheme))
    body, _, tail = r.stdout.rpartition(b"\n")
    code, version = tail.decode().split()
    return int(code), version, body


@pytest.mark.parametrize("proto", PROTOS)
def test_pages_and_linked_assets(server, proto):
    code, version, body = get(server, proto, "/")
    assert code == 200
    assert version == PROTOCOLS[proto][2]
    assert b"<!doctype html>" in body and b'href="/page/20"' in body
    sizes = []
    for n in (1, 10, 20):
        code, _, page = get(server, proto, f"/page/{n}")
        assert code == 200
        assert f"<h1>Page {n} of 20</h1>".encode() in page
        sizes.append(len(page))
        links = re.findall(rb'(?:href|src)="(/static/[^"]+)"', page)
        assert len(links) == 10
        for link in links[:4] if n != 1 else links:
            c, _, asset = get(server, proto, link.decode())
            assert c == 200 and len(asset) > 0
    assert 2048 <= sizes[0] <= 4096
    assert sizes[2] >= 200 * 1024
    assert get(server, proto, "/page/21")[0] == 404
    assert get(server, proto, "/page/0")[0] == 404
    assert get(server, proto, "/nope")[0] == 404
    assert get(server, proto, "/page/1", "-X", "POST")[0] == 405


@pytest.mark.parametrize("proto", PROTOS)
def test_static_etag_and_traversal(server, proto):
    opts, scheme, _ = PROTOCOLS[proto]
    r = curl(*opts, "-D", "-", "-o", "/dev/null", server.url("/static/css/site-1.css", scheme))
    headers = r.stdout.decode().lower()
    assert "content-type: text/css" in headers
    etag = re.search(r"etag: (\S+)", headers).group(1)
    assert get(server, proto, "/static/css/site-1.css", "-H", f"If-None-Match: {etag}")[0] == 304
    assert get(server, proto, "/static/css/site-1.css", "-H", 'If-None-Match: "x"')[0] == 200
    assert get(server, proto, "/static/img/pic-2.png")[2][:4] == b"\x89PNG"
    for bad in ("/static/../page/1", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/css%2fsite-1.css",
                "/static//etc/passwd", "/static/css/../../x", "/static/..%5c..%5cx"):
        code = get(server, proto, bad, "--path-as-is")[0]
        assert code in (400, 404), bad
    assert get(server, proto, "/static/css/none.css")[0] == 404


@pytest.mark.parametrize("proto", PROTOS)
def test_login_cookie_upload_events_metrics(server, proto, tmp_path):
    opts, scheme, _ = PROTOCOLS[proto]
    jar = tmp_path / "jar"
    r = curl(*opts, "-c", str(jar), "-D", "-", server.url("/login?user=ann", scheme))
    assert re.search(rb"(?i)set-cookie: sid=[0-9a-f]{32};.*HttpOnly", r.stdout)
    r = curl(*opts, "-b", str(jar), server.url("/page/2", scheme))
    assert b"signed in as ann" in r.stdout
    r = curl(*opts, "--data-binary", "hello", server.url("/upload", scheme))
    assert r.stdout == b'{"size":5,"sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}\n'
    r = curl(*opts, "-N", "--max-time", "0.5", server.url("/events", scheme))
    assert r.stdout.startswith(b"id: 1\ndata: {\"seq\":1,")
    code, _, text = get(server, proto, "/metrics")
    assert code == 200
    assert b'h2soak_target_requests_total{route="login",status="200"}' in text
    assert b"h2soak_target_bytes_sent_total" in text
    assert get(server, proto, "/upload")[0] == 405


def test_metrics_counts_requests(server):
    for _ in range(3):
        curl("--http1.1", server.url("/page/4"))
    curl("--http1.1", server.url("/missing"))
    m = server.metrics()
    assert m['h2soak_target_requests_total{route="page",status="200"}'] == 3
    assert m['h2soak_target_requests_total{route="not_found",status="404"}'] == 1
    assert m["h2soak_target_workers"] == 2
    assert m["h2soak_target_connections_total"] >= 4


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_nghttp_fetches_page_with_all_assets(server, scheme):
    # -a: nghttp parses the HTML and fetches every linked asset on the same connection.
    r = subprocess.run(["nghttp", "-ans", "-t", "10", server.url("/page/7", scheme)], capture_output=True,
                       timeout=20)
    assert r.returncode == 0, r.stderr
    rows = re.findall(rb"^\s*\d+\s+\S+\s+\S+\s+\S+\s+(\d{3})\s+\S+\s+(\S+)$", r.stdout, re.M)
    assert len(rows) == 11, r.stdout
    assert all(code == b"200" for code, _ in rows)


def test_bytes_sent_matches_what_clients_received(server):
    # h1 without TLS: the bytes a client reads are exactly status line + headers + body.
    before = server.metrics()["h2soak_target_bytes_sent_total"]
    r = curl("--http1.1", "-D", "-", server.url("/page/3"))
    after = server.metrics()["h2soak_target_bytes_sent_total"]
    metrics_response = after - before
    # The first scrape's own response is counted between the two readings.
    assert metrics_response >= len(r.stdout)
    assert metrics_response - len(r.stdout) < 8192


def test_h1_pipelining_and_keepalive(server):
    s = connect(server.port)
    s.sendall(b"GET /page/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /static/css/site-0.css HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    s.settimeout(5)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    statuses = re.findall(rb"HTTP/1.1 (\d{3}) ", data)
    assert statuses == [b"200", b"200", b"404"]


def test_h1_header_limit_and_bad_request(start_server):
    server = start_server("--max-header-size", "4KiB")
    code = get(server, "h1", "/", "-H", "X-Big: " + "a" * 8000)[0]
    assert code == 431
    code = get(server, "h2c", "/", "-H", "X-Big: " + "a" * 8000)[0]
    assert code == 431
    s = connect(server.port)
    s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
    s.settimeout(5)
    assert s.recv(100).startswith(b"HTTP/1.1 400")


def test_h1_half_close_still_gets_its_answer(server):
    s = connect(server.port)
    s.sendall(b"GET /page/20 HTTP/1.1\r\nHost: x\r\n\r\n")
    s.shutdown(socket.SHUT_WR)  # like `nc -q`: the request is complete, nothing more comes
    data = b""
    s.settimeout(5)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
    assert len(body) == length >= 200 * 1024
