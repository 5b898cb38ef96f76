#!/usr/bin/python3
"""Writes the seed inputs of h2_session_fuzz (fuzz/corpus/h2_session_fuzz/).

Each seed is what an HTTP/2 client sends after the connection preface (the
fuzz target sends the preface itself): SETTINGS, then requests for the
reference server's routes, built frame by frame with a minimal HPACK encoder
(literal fields without indexing, no Huffman; a few static-table indexes).

    /usr/bin/python3 fuzz/make_h2_seeds.py [OUT_DIR]
"""
import os
import struct
import sys

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = (
    0x0, 0x1, 0x2, 0x3, 0x4, 0x6, 0x7, 0x8, 0x9)
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY_FLAG = 0x1, 0x1, 0x4, 0x8, 0x20


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def hpack_int(value, prefix_bits, first_byte=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first_byte | value])
    out = bytearray([first_byte | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def literal(name, value):
    """Literal header field without indexing, new name (RFC 7541 6.2.2)."""
    n, v = name.encode(), value.encode()
    return b"\x00" + hpack_int(len(n), 7) + n + hpack_int(len(v), 7) + v


def block(method, path, extra=()):
    fields = [(":method", method), (":scheme", "http"), (":authority", "x"), (":path", path), *extra]
    return b"".join(literal(k, v) for k, v in fields)


def settings(pairs=()):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in pairs))


def get(stream, path, extra=(), end_stream=True):
    return frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), stream, block("GET", path, extra))


SEEDS = {
    "pages_assets_errors": settings([(0x3, 100), (0x4, 1 << 20)]) + get(1, "/page/1")
    + get(3, "/static/css/site-0.css") + get(5, "/nope") + get(7, "/static/%2e%2e/x")
    + frame(SETTINGS, ACK, 0),
    "indexed_fields": settings()
    # :method GET (2), :scheme http (6), :path / (4), then a literal :authority.
    + frame(HEADERS, END_HEADERS | END_STREAM, 1, b"\x82\x86\x84" + literal(":authority", "x")),
    "upload": settings() + frame(HEADERS, END_HEADERS, 1, block("POST", "/upload", [("content-length", "5")]))
    + frame(DATA, 0, 1, b"hel") + frame(DATA, END_STREAM, 1, b"lo"),
    "upload_too_large": settings()
    + frame(HEADERS, END_HEADERS, 1, block("PUT", "/upload", [("content-length", "2000")]))
    + frame(DATA, 0, 1, b"z" * 1000) + frame(DATA, END_STREAM, 1, b"z" * 1000) + get(3, "/"),
    "sse_cancel": settings() + get(1, "/events", [("last-event-id", "6")])
    + frame(RST_STREAM, 0, 1, struct.pack(">I", 0x8)) + frame(PING, 0, 0, b"12345678")
    + frame(GOAWAY, 0, 0, struct.pack(">II", 0, 0)),
    "continuation_window": settings([(0x4, 65535)])
    + frame(HEADERS, END_STREAM, 1, block("GET", "/page/2")[:20])
    + frame(CONTINUATION, END_HEADERS, 1, block("GET", "/page/2")[20:])
    + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 20)) + frame(WINDOW_UPDATE, 0, 1, struct.pack(">I", 1 << 16)),
    "login_cookie_head_metrics": settings() + get(1, "/login?user=ann")
    + frame(HEADERS, END_HEADERS | END_STREAM, 3, block("HEAD", "/page/3", [("cookie", "sid=abc"), ("cookie", "x=1")]))
    + get(5, "/static/bench-2k.html", [("if-none-match", '"0000000000000000-800"')]) + get(7, "/metrics"),
    "priority_padding": settings() + frame(PRIORITY, 0, 1, struct.pack(">IB", 0, 15))
    + frame(HEADERS, END_HEADERS | END_STREAM | PADDED | PRIORITY_FLAG, 1,
            b"\x03" + struct.pack(">IB", 0, 200) + block("GET", "/") + b"\x00\x00\x00")
    + frame(HEADERS, END_HEADERS | END_STREAM, 3, block("DELETE", "/page/1")),
}


def main(argv):
    out = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "corpus", "h2_session_fuzz")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(SEEDS)} seeds to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
