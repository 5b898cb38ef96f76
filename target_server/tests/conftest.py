"""Fixtures for the end-to-end tests of h2soak-target.

Each test starts its own server with `--port 0`, reads the bound port from the first line
of its stdout, and stops it by PID at teardown (SIGTERM, then SIGKILL if it hangs). Traffic
goes to 127.0.0.1 only, and every wait below is bounded.
"""
import os
import re
import select
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

BIN = os.environ.get("H2SOAK_TARGET_BIN", "")

# curl options per protocol, and the scheme each one uses.
PROTOCOLS = {
    "h1": (["--http1.1"], "http", "1.1"),
    "h2c": (["--http2-prior-knowledge"], "http", "2"),
    "h2": (["--http2", "-k"], "https", "2"),
    "h1tls": (["--http1.1", "-k"], "https", "1.1"),
}


class Server:
    """One running h2soak-target process."""

    def __init__(self, *args, startup_timeout=10.0):
        if not BIN or not os.access(BIN, os.X_OK):
            pytest.fail(f"H2SOAK_TARGET_BIN is not an executable: {BIN!r}")
        self.args = list(args)
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([BIN, "--port", "0", *self.args], stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        self.pid = self.proc.pid
        ready, _, _ = select.select([self.proc.stdout], [], [], startup_timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not re.fullmatch(r"\d+\n", line):
            self.stop()
            pytest.fail(f"server did not print its port (got {line!r}); stderr:\n{self.log()}")
        self.port = int(line)

    def url(self, path, scheme="http"):
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def metrics(self):
        """The /metrics samples as {name or name{labels}: float}, over plain HTTP/1.1."""
        with urllib.request.urlopen(self.url("/metrics"), timeout=5) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, value = line.rsplit(" ", 1)
                out[key] = float(value)
        return out

    def wait_metric(self, name, predicate, timeout=3.0):
        """Polls /metrics until predicate(value) holds; returns (ok, last value)."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.metrics().get(name)
            if value is not None and predicate(value):
                return True, value
            time.sleep(0.05)
        return False, value

    def proc_status(self):
        """Threads, VmRSS (KiB) and open fds of the server process."""
        fields = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                fields[k] = v.strip()
        return {
            "threads": int(fields["Threads"]),
            "rss_kib": int(fields["VmRSS"].split()[0]),
            "fds": len(os.listdir(f"/proc/{self.pid}/fd")),
        }

    def stop(self, timeout=10.0):
        """SIGTERM, wait; SIGKILL by PID if it does not exit. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()
        return self.proc.returncode


@pytest.fixture
def start_server():
    """Factory: start_server("--sse-interval", "50ms") -> Server; all stopped at teardown."""
    started = []

    def start(*args):
        s = Server(*args)
        started.append(s)
        return s

    yield start
    failures = []
    for s in started:
        code = s.stop()
        if code != 0:  # every server must shut down cleanly (sanitizer reports fail here too)
            failures.append(f"pid {s.pid} exited {code}; stderr:\n{s.log()[-4000:]}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def server(start_server):
    return start_server()


def curl(*args, timeout=30):
    """Runs Debian's curl; returns the CompletedProcess (stdout as bytes)."""
    return subprocess.run(["curl", "-s", "--max-time", str(timeout), *args], capture_output=True,
                          timeout=timeout + 5)


def connect(port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def wait_closed(sock, timeout):
    """Reads until the peer closes; returns seconds waited, or None if still open at timeout."""
    start = time.monotonic()
    sock.settimeout(0.05)
    while time.monotonic() - start < timeout:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
        if not data:
            return time.monotonic() - start
    return None


# ---- a minimal HTTP/2 client, enough to open streams and reset them (RST_STREAM) ----

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def h2_frame(ftype, flags, stream_id, payload=b""):
    return len(payload).to_bytes(3, "big") + bytes([ftype, flags]) + stream_id.to_bytes(4, "big") + payload


def h2_get_headers(path, authority="127.0.0.1"):
    """An HPACK block for GET http://authority/path using only literal, non-indexed fields."""
    def lit(index, value):
        v = value.encode()
        assert len(v) < 127
        return bytes([index]) + bytes([len(v)]) + v  # literal without indexing, indexed name
    return b"\x82\x86" + lit(4, path) + lit(1, authority)  # :method GET, :scheme http


def h2_open(port, paths):
    """Opens an h2c connection and one GET stream per path (ids 1, 3, 5, ...)."""
    s = connect(port)
    s.sendall(H2_PREFACE + h2_frame(4, 0, 0))
    for i, path in enumerate(paths):
        s.sendall(h2_frame(1, 0x5, 2 * i + 1, h2_get_headers(path)))
    return s


def h2_rst(sock, stream_id, error_code=8):  # 8 = CANCEL
    sock.sendall(h2_frame(3, 0, stream_id, error_code.to_bytes(4, "big")))
