"""TLS record handling of h2soak-target.

The server reads TLS ahead (one recv() takes every record the socket holds), so records can
wait in OpenSSL's buffer where epoll does not see them. The client here runs TLS over memory
BIOs, so the test decides how records meet the socket: every write() is one TLS record, and
flush() sends all the records written so far in one send(). Traffic goes to 127.0.0.1 only.
"""
import socket
import ssl
import time

from conftest import Server, connect
from test_conformance import DATA, END_STREAM, HEADERS, INITIAL_WINDOW_SIZE, PREFACE, headers, settings, window_update

STREAMS = 60  # requests in one send: far past the records the server reads per event (16)
TIMEOUT = 5.0
BENCH_GET = [(":method", "GET"), (":scheme", "https"), (":path", "/static/bench-2k.html"),
             (":authority", "127.0.0.1")]


class TlsPeer:
    """One h2 connection over TLS whose records the test places: write() makes one record."""

    def __init__(self, port):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        self.sock = connect(port)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_hostname="localhost")
        self.buf = b""
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.flush()
                assert self.receive(deadline), "TLS handshake timed out"
        self.flush()
        assert self.tls.selected_alpn_protocol() == "h2"

    def write(self, data):
        self.tls.write(data)

    def flush(self):
        out = self.outgoing.read()
        if out:
            self.sock.sendall(out)

    def receive(self, deadline):
        """Moves what the socket has into the TLS object; False at the deadline."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        assert chunk, "the server closed the connection"
        self.incoming.write(chunk)
        return True

    def frame(self, deadline):
        """The next frame (type, flags, stream id), or None at the deadline."""
        while True:
            if len(self.buf) >= 9:
                n = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) >= 9 + n:
                    f = (self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF)
                    self.buf = self.buf[9 + n:]
                    return f
            try:
                self.buf += self.tls.read(65536)
            except ssl.SSLWantReadError:
                if not self.receive(deadline):
                    return None


def test_records_that_arrive_together_are_all_answered():
    """60 requests, each in its own record, in one TCP send: the server reads them all in one
    recv(), answers the first 16, and must come back for the rest by itself (no more bytes come
    from the socket to wake it)."""
    server = Server("--threads", "1")
    try:
        peer = TlsPeer(server.port)
        peer.write(PREFACE + settings((INITIAL_WINDOW_SIZE, 1 << 20)))
        peer.write(window_update(0, 1 << 24))
        for i in range(STREAMS):
            peer.write(headers(1 + 2 * i, BENCH_GET))
        peer.flush()
        ended = set()
        deadline = time.monotonic() + TIMEOUT
        while len(ended) < STREAMS:
            f = peer.frame(deadline)
            assert f is not None, f"{len(ended)} of {STREAMS} responses ended within {TIMEOUT} s"
            if f[0] in (HEADERS, DATA) and f[1] & END_STREAM:
                ended.add(f[2])
        assert ended == {1 + 2 * i for i in range(STREAMS)}
    finally:
        assert server.stop() == 0
