"""/upload: digests match sha256sum for every protocol; 413 above the limit with the
connection still usable afterwards."""
import json
import os
import re
import subprocess

import pytest

from conftest import PROTOCOLS, curl

SIZES = [0, 1, 16 * 1024, 1 << 20, 4 << 20]


@pytest.fixture(scope="module")
def payloads(tmp_path_factory):
    d = tmp_path_factory.mktemp("payloads")
    out = {}
    for size in SIZES:
        p = d / f"p{size}"
        p.write_bytes(os.urandom(size))
        digest = subprocess.run(["sha256sum", str(p)], capture_output=True, check=True).stdout.split()[0].decode()
        out[size] = (p, digest)
    return out


@pytest.mark.parametrize("proto", list(PROTOCOLS))
def test_digests_match_sha256sum(server, payloads, proto):
    opts, scheme, _ = PROTOCOLS[proto]
    for size, (path, digest) in payloads.items():
        r = curl(*opts, "--data-binary", f"@{path}", server.url("/upload", scheme))
        assert json.loads(r.stdout) == {"size": size, "sha256": digest}, (size, r.stdout)
    r = curl(*opts, "-T", str(payloads[16 * 1024][0]), server.url("/upload", scheme))  # PUT
    assert json.loads(r.stdout)["sha256"] == payloads[16 * 1024][1]
    m = server.metrics()
    assert m["h2soak_target_upload_bytes_total"] == sum(SIZES) + 16 * 1024


def test_chunked_h1_upload(server, payloads):
    path, digest = payloads[1 << 20]
    r = curl("--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", f"@{path}", server.url("/upload"))
    assert json.loads(r.stdout) == {"size": 1 << 20, "sha256": digest}


@pytest.fixture
def limited(start_server):
    return start_server("--upload-limit", "1MiB")


@pytest.fixture
def over_limit(tmp_path):
    p = tmp_path / "over"
    p.write_bytes(b"\x01" * ((1 << 20) + 1))
    return p


def two_requests(proto, server, path, *extra_first):
    """POST `path` then GET /page/1 on one curl command line; returns [(code, new_connects)]."""
    opts, scheme, _ = PROTOCOLS[proto]
    w = ["-w", "%{http_code} %{num_connects}\n"]
    r = curl(*opts, *extra_first, *w, "-o", "/dev/null", "--data-binary", f"@{path}", server.url("/upload", scheme),
             "--next", *opts, *w, "-o", "/dev/null", server.url("/page/1", scheme))
    return [tuple(int(x) for x in line.split()) for line in r.stdout.decode().splitlines()]


def test_limit_exactly_is_accepted(limited, tmp_path):
    p = tmp_path / "exact"
    p.write_bytes(b"\x02" * (1 << 20))
    r = curl("--http2-prior-knowledge", "--data-binary", f"@{p}", limited.url("/upload"))
    assert json.loads(r.stdout)["size"] == 1 << 20


def test_413_then_same_h2_connection_serves_next_request(limited, over_limit):
    # curl 7.88 cannot reuse a prior-knowledge h2c connection, so h2 goes over TLS here
    # and h2c is checked with nghttp below.
    assert two_requests("h2", limited, over_limit) == [(413, 1), (200, 0)]


def test_413_then_same_h2c_connection_with_nghttp(limited, over_limit):
    # nghttp sends every URI on one connection; -d posts the file to each of them.
    r = subprocess.run(["nghttp", "-ns", "-t", "10", "-d", str(over_limit), limited.url("/upload"),
                        limited.url("/upload?again"), limited.url("/page/1")], capture_output=True, timeout=20)
    assert r.returncode == 0, r.stderr
    codes = sorted(int(c) for c in re.findall(rb"^\s*\d+\s+\S+\s+\S+\s+\S+\s+(\d{3})\s", r.stdout, re.M))
    assert codes == [405, 413, 413]  # POST /page/1 is 405: the connection kept working after 413s
    assert limited.metrics()["h2soak_target_connections_total"] == 2  # nghttp's one + the scrape


def test_413_then_same_h1_connection_when_body_is_drained(limited, over_limit):
    assert two_requests("h1", limited, over_limit, "-H", "Expect:") == [(413, 1), (200, 0)]


def test_413_early_with_expect_100_continue_closes_h1(limited, over_limit):
    # With "Expect: 100-continue" the body is never sent: 413 at once and the connection closes.
    assert two_requests("h1", limited, over_limit, "-H", "Expect: 100-continue") == [(413, 1), (200, 1)]
