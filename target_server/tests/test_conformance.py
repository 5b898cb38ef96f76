"""RFC 9113 conformance of h2soak-target: one table row per rule, raw frames in, answer checked.

Every row opens its own h2c connection (prior knowledge) and, unless it tests the preface
itself, completes the handshake first: preface, SETTINGS both ways, both ACKs, then a PING
round trip, so that the server has applied everything (the stream limit counts from the
client's ACK). Then the row's frames go out and its expectation waits at most ROW_TIMEOUT:

  Goaway(code)         connection error: GOAWAY with `code` (and `last` stream id if given),
                       then the server closes the connection (RFC 9113 §5.4.1);
  StreamError(code, s) stream error: RST_STREAM(code) on stream s, or GOAWAY(code) (§5.4: a
                       stream error may be treated as a connection error);
  Rst(code, s)         RST_STREAM(code) on stream s and no more: a GET / on a new stream is
                       then still answered 200 on the same connection;
  Served()             the frames are accepted or ignored: a GET / on a new stream is answered
                       200, and no RST_STREAM or GOAWAY comes before;
  Answer(type, ...)    the server sends that frame (a PING ACK, a SETTINGS ACK);
  Closed()             the server closes the connection (a GOAWAY before it is optional).

Markers between frames wait for the server: WaitHeaders(s) for its response HEADERS on s,
WaitEnd(s) for END_STREAM on s, WaitRst(s) for RST_STREAM on s.

The same table runs against Debian's nghttpd (package nghttp2-server, the same libnghttp2)
when it is installed, as a reference. Rows where nghttpd answers otherwise are expected
failures there, each with its reason (NGHTTPD_DIFFERS; target_server/README.md lists them).

The client is written for the test: frames are packed by hand, header blocks use HPACK
literal fields without indexing and without Huffman coding, so no HPACK library is needed.
Of the answers only frame type, flags, stream id and error codes are read; a response
HEADERS block starting with 0x88 (static table index 8, ":status: 200") is a 200.
"""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass

import pytest

from conftest import Server, connect

ROW_TIMEOUT = 2.0
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Frame types, flags, error codes and settings (RFC 9113 §6, §7, §6.5.2).
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM = ACK = 0x1
END_HEADERS, PADDED, PRIORITY_FLAG = 0x4, 0x8, 0x20
(NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, FLOW_CONTROL_ERROR, SETTINGS_TIMEOUT, STREAM_CLOSED,
 FRAME_SIZE_ERROR, REFUSED_STREAM, CANCEL, COMPRESSION_ERROR) = range(10)
ERROR_NAMES = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
               "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR"]
ENABLE_PUSH, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE = 2, 3, 4, 5
NO_RFC7540_PRIORITIES = 9
STREAM_LIMIT = 100  # both servers' default SETTINGS_MAX_CONCURRENT_STREAMS


def err(code):
    return ERROR_NAMES[code] if code < len(ERROR_NAMES) else hex(code)


# ---- frames ----

def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def hpack_int(value, prefix_bits, first=0):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = [first | limit]
    value -= limit
    while value >= 128:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + [value])


def block(fields):
    """HPACK: every field a literal without indexing, new name, no Huffman (RFC 7541 §6.2.2)."""
    out = b""
    for name, value in fields:
        n, v = name.encode(), value.encode()
        out += b"\x00" + hpack_int(len(n), 7) + n + hpack_int(len(v), 7) + v
    return out


GET = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "127.0.0.1")]
POST = [(":method", "POST"), (":scheme", "http"), (":path", "/"), (":authority", "127.0.0.1")]


def headers(sid, fields=GET, end_stream=True, end_headers=True, priority=None, pad=None):
    """HEADERS; priority=(dependency, weight) sets the PRIORITY flag, pad=N adds N padding bytes."""
    flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
    payload = fields if isinstance(fields, bytes) else block(fields)
    if priority is not None:
        flags |= PRIORITY_FLAG
        payload = struct.pack(">IB", priority[0], priority[1] - 1) + payload
    if pad is not None:
        flags |= PADDED
        payload = bytes([pad]) + payload + b"\x00" * pad
    return frame(HEADERS, flags, sid, payload)


def continuation(sid, fields, end_headers=True):
    payload = fields if isinstance(fields, bytes) else block(fields)
    return frame(CONTINUATION, END_HEADERS if end_headers else 0, sid, payload)


def data(sid, payload=b"test", end_stream=True):
    return frame(DATA, END_STREAM if end_stream else 0, sid, payload)


def priority(sid, dependency, weight=16):
    return frame(PRIORITY, 0, sid, struct.pack(">IB", dependency, weight - 1))


def rst(sid, code=CANCEL):
    return frame(RST_STREAM, 0, sid, struct.pack(">I", code))


def settings(*entries, ack=False, sid=0):
    return frame(SETTINGS, ACK if ack else 0, sid, b"".join(struct.pack(">HI", k, v) for k, v in entries))


def ping(payload=b"h2soak!!", ack=False, sid=0):
    return frame(PING, ACK if ack else 0, sid, payload)


def window_update(sid, increment):
    return frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", increment))


def open_streams(count, first=1):
    """`count` requests whose body never comes: each stream stays open (ids first, first+2, ...)."""
    return b"".join(headers(first + 2 * i, end_stream=False) for i in range(count))


# ---- waits between frames, and what a row expects ----

@dataclass
class WaitHeaders:
    sid: int


@dataclass
class WaitEnd:
    sid: int


@dataclass
class WaitRst:
    sid: int


@dataclass
class Goaway:
    code: int
    last: int = None


@dataclass
class StreamError:
    code: int
    sid: int


@dataclass
class Rst:
    code: int
    sid: int
    before_probe: bytes = b""  # sent before the probing GET (to free a stream slot)


@dataclass
class Served:
    pass


@dataclass
class Answer:
    ftype: int
    flags: int = ACK
    payload: bytes = None


@dataclass
class Closed:
    pass


@dataclass
class Row:
    name: str
    section: str
    what: str
    send: list
    expect: object
    settings: tuple = ()       # the client's SETTINGS entries
    handshake: bool = True     # False: `send` starts at the first byte of the connection
    ack: bool = True           # False: the client never acknowledges the server's SETTINGS
    xfail_nghttpd: str = ""    # why Debian's nghttpd fails the row (an expected failure there)


# ---- the table ----

def malformed(*extra, base=GET, end_stream=True):
    """A request whose header list breaks a §8 rule."""
    return [headers(1, list(base) + list(extra), end_stream=end_stream)]


ROWS = [
    # §3.4 connection preface
    Row("3.4-bad-magic", "3.4", "client magic with a wrong byte: not HTTP/2, the connection is closed",
        [PREFACE[:18] + b"XX" + PREFACE[20:] + settings()], Closed(), handshake=False),
    Row("3.4-first-frame-not-settings", "3.4", "magic followed by PING instead of SETTINGS",
        [PREFACE + ping()], Closed(), handshake=False),
    # §4 frames
    Row("4.1-unknown-type", "4.1", "a frame of unknown type is ignored",
        [frame(0x16, 0, 0, b"ignore me")], Served()),
    Row("4.1-unknown-flags", "4.1", "undefined flags are ignored (PING with flags 0x16)",
        [frame(PING, 0x16, 0, b"h2soak!!")], Answer(PING, ACK, b"h2soak!!")),
    Row("4.1-reserved-bit", "4.1", "the reserved bit of the stream id is ignored",
        [headers(1 | 0x80000000)], Served()),
    Row("4.2-data-too-large", "4.2", "DATA larger than SETTINGS_MAX_FRAME_SIZE (16,384)",
        [headers(1, POST, end_stream=False), data(1, b"x" * 16385)], StreamError(FRAME_SIZE_ERROR, 1)),
    Row("4.2-headers-too-large", "4.2", "HEADERS larger than SETTINGS_MAX_FRAME_SIZE: connection error",
        [headers(1, GET + [("x-big", "a" * 16400)])], Goaway(FRAME_SIZE_ERROR)),
    Row("4.3-bad-hpack", "4.3", "a header block that does not decode (index 0)",
        [headers(1, b"\x80")], Goaway(COMPRESSION_ERROR)),
    Row("4.3-priority-inside-block", "4.3", "PRIORITY between HEADERS and its CONTINUATION",
        [headers(1, GET[:2], end_headers=False), priority(1, 0), continuation(1, GET[2:])], Goaway(PROTOCOL_ERROR)),
    Row("4.3-other-stream-inside-block", "4.3", "HEADERS of another stream inside a header block",
        [headers(1, GET[:2], end_headers=False), headers(3)], Goaway(PROTOCOL_ERROR)),
    # §5.1 stream states
    Row("5.1-idle-data", "5.1", "idle: DATA", [data(1)], Goaway(PROTOCOL_ERROR)),
    Row("5.1-idle-rst-stream", "5.1", "idle: RST_STREAM", [rst(1)], Goaway(PROTOCOL_ERROR)),
    Row("5.1-idle-window-update", "5.1", "idle: WINDOW_UPDATE", [window_update(1, 100)], Goaway(PROTOCOL_ERROR)),
    Row("5.1-idle-continuation", "5.1", "idle: CONTINUATION", [continuation(1, GET)], Goaway(PROTOCOL_ERROR)),
    Row("5.1-half-closed-data", "5.1", "half-closed (remote): DATA (the response waits on flow control)",
        [headers(1), WaitHeaders(1), data(1)], StreamError(STREAM_CLOSED, 1), settings=((INITIAL_WINDOW_SIZE, 0),)),
    Row("5.1-half-closed-headers", "5.1", "half-closed (remote): HEADERS",
        [headers(1), WaitHeaders(1), headers(1)], StreamError(STREAM_CLOSED, 1),
        settings=((INITIAL_WINDOW_SIZE, 0),)),
    Row("5.1-half-closed-window-update", "5.1", "half-closed (remote): WINDOW_UPDATE is allowed",
        [headers(1), WaitHeaders(1), window_update(1, 100)], Served(), settings=((INITIAL_WINDOW_SIZE, 0),)),
    Row("5.1-reset-by-client-data", "5.1", "closed by the client's RST_STREAM: DATA",
        [headers(1, POST, end_stream=False), rst(1), data(1)], StreamError(STREAM_CLOSED, 1)),
    Row("5.1-reset-by-client-headers", "5.1", "closed by the client's RST_STREAM: HEADERS",
        [headers(1, POST, end_stream=False), rst(1), headers(1)], StreamError(STREAM_CLOSED, 1)),
    Row("5.1-reset-by-client-priority", "5.1", "closed by the client's RST_STREAM: PRIORITY is allowed",
        [headers(1, POST, end_stream=False), rst(1), priority(1, 0)], Served()),
    Row("5.1-closed-data", "5.1", "closed after both END_STREAMs: DATA",
        [headers(1), WaitEnd(1), data(1)], Goaway(STREAM_CLOSED)),
    Row("5.1-closed-headers", "5.1", "closed after both END_STREAMs: HEADERS",
        [headers(1), WaitEnd(1), headers(1)], Goaway(STREAM_CLOSED)),
    Row("5.1-closed-priority", "5.1", "closed: PRIORITY is allowed", [headers(1), WaitEnd(1), priority(1, 0)], Served()),
    Row("5.1-closed-window-update", "5.1", "closed: WINDOW_UPDATE just after END_STREAM is allowed",
        [headers(1), WaitEnd(1), window_update(1, 100)], Served()),
    Row("5.1-closed-rst-stream", "5.1", "closed: RST_STREAM just after END_STREAM is allowed",
        [headers(1), WaitEnd(1), rst(1)], Served()),
    Row("5.1-reset-by-server-data", "5.1", "the server reset the stream: the client's late DATA is ignored",
        [headers(1, POST + [("connection", "close")], end_stream=False), WaitRst(1), data(1)], Served()),
    Row("5.1-reset-by-server-trailers", "5.1", "the server reset the stream: late trailers are ignored",
        [headers(1, POST + [("connection", "close")], end_stream=False), WaitRst(1), data(1, end_stream=False),
         headers(1, [("x-trailer", "1")])], Served()),
    # §5.1.1 stream identifiers
    Row("5.1.1-even-id", "5.1.1", "a client stream with an even id", [headers(2)], Goaway(PROTOCOL_ERROR)),
    Row("5.1.1-lower-id", "5.1.1", "a new stream id lower than one already used (5, then 3)",
        [headers(5), headers(3)], Goaway(PROTOCOL_ERROR),
        xfail_nghttpd="libnghttp2 ignores HEADERS on a lower, never used stream id"),
    Row("5.1.1-lower-id-later", "5.1.1", "the lower id after stream 5's response ended",
        [headers(5), WaitEnd(5), headers(3)], Goaway(PROTOCOL_ERROR),
        xfail_nghttpd="libnghttp2 ignores HEADERS on a lower, never used stream id"),
    Row("5.1.1-skipped-ids", "5.1.1", "ids may skip (1, then 7)", [headers(1), headers(7)], Served()),
    # §5.1.2 stream concurrency
    Row("5.1.2-refused-after-ack", "5.1.2", "the 101st concurrent stream after the SETTINGS ACK: REFUSED_STREAM",
        [open_streams(STREAM_LIMIT), headers(2 * STREAM_LIMIT + 1)],
        Rst(REFUSED_STREAM, 2 * STREAM_LIMIT + 1, before_probe=rst(1)),
        xfail_nghttpd="libnghttp2 answers a stream over an acknowledged limit with GOAWAY(PROTOCOL_ERROR)"),
    Row("5.1.2-refused-before-ack", "5.1.2", "the 101st concurrent stream before the SETTINGS ACK: REFUSED_STREAM",
        [open_streams(STREAM_LIMIT), headers(2 * STREAM_LIMIT + 1)],
        Rst(REFUSED_STREAM, 2 * STREAM_LIMIT + 1, before_probe=rst(1)), ack=False),
    Row("5.1.2-refused-late-frames", "5.1.2", "DATA and trailers on a refused stream are ignored",
        [open_streams(STREAM_LIMIT), headers(2 * STREAM_LIMIT + 1, POST, end_stream=False),
         WaitRst(2 * STREAM_LIMIT + 1), data(2 * STREAM_LIMIT + 1, end_stream=False),
         headers(2 * STREAM_LIMIT + 1, [("x-trailer", "1")]), rst(1)], Served(),
        xfail_nghttpd="libnghttp2 answers a stream over an acknowledged limit with GOAWAY(PROTOCOL_ERROR)"),
    # §5.3.1 of RFC 7540 (kept by h2spec): a stream cannot depend on itself
    Row("5.3.1-headers-self-dependency", "5.3.1", "HEADERS whose priority depends on its own stream",
        [headers(1, priority=(1, 16))], StreamError(PROTOCOL_ERROR, 1)),
    Row("5.3.1-priority-self-dependency", "5.3.1", "PRIORITY whose stream depends on itself",
        [priority(1, 1)], StreamError(PROTOCOL_ERROR, 1)),
    Row("5.3.1-priority-self-dependency-open", "5.3.1", "PRIORITY on an open stream that depends on itself",
        [headers(1, POST, end_stream=False), priority(1, 1)], StreamError(PROTOCOL_ERROR, 1)),
    # §5.4.1 connection error handling
    Row("5.4.1-goaway-last-stream", "5.4.1", "after a connection error GOAWAY names the last stream processed",
        [headers(1), WaitEnd(1), ping(b"short!")], Goaway(FRAME_SIZE_ERROR, last=1)),
    # §5.5 extending HTTP/2
    Row("5.5-unknown-type-inside-block", "5.5", "an unknown frame type inside a header block",
        [headers(1, GET[:2], end_headers=False), frame(0x16, 0, 1, b"x"), continuation(1, GET[2:])],
        Goaway(PROTOCOL_ERROR)),
    # §6.1 DATA
    Row("6.1-data-stream-0", "6.1", "DATA on stream 0", [data(0)], Goaway(PROTOCOL_ERROR)),
    Row("6.1-body-in-frames", "6.1", "a request body in several DATA frames, then trailers, is served",
        [headers(1, POST, end_stream=False), data(1, b"a" * 100, end_stream=False), data(1, b"b", end_stream=False),
         headers(1, [("x-trailer", "1")])], Served()),
    Row("6.1-data-bad-padding", "6.1", "DATA whose padding is as long as the payload",
        [headers(1, POST, end_stream=False), frame(DATA, PADDED | END_STREAM, 1, b"\x05abcd")], Goaway(PROTOCOL_ERROR)),
    # §6.2 HEADERS
    Row("6.2-headers-stream-0", "6.2", "HEADERS on stream 0", [headers(0)], Goaway(PROTOCOL_ERROR)),
    Row("6.2-headers-bad-padding", "6.2", "HEADERS whose padding is longer than the payload",
        [frame(HEADERS, PADDED | END_HEADERS | END_STREAM, 1, b"\xff" + block(GET))], Goaway(PROTOCOL_ERROR)),
    Row("6.2-headers-padded-priority", "6.2", "HEADERS with padding and a priority is served",
        [headers(1, priority=(0, 32), pad=7)], Served()),
    # §6.3 PRIORITY
    Row("6.3-priority-stream-0", "6.3", "PRIORITY on stream 0", [priority(0, 0)], Goaway(PROTOCOL_ERROR)),
    Row("6.3-priority-stream-0-rfc9218-client", "6.3",
        "PRIORITY on stream 0 from a client that sent SETTINGS_NO_RFC7540_PRIORITIES=1",
        [priority(0, 0)], Goaway(PROTOCOL_ERROR), settings=((NO_RFC7540_PRIORITIES, 1),),
        xfail_nghttpd="libnghttp2 skips PRIORITY frames once the client sent SETTINGS_NO_RFC7540_PRIORITIES=1"),
    Row("6.3-priority-bad-length", "6.3", "PRIORITY of 4 octets",
        [headers(1), frame(PRIORITY, 0, 1, b"\x80\x00\x00\x01")], StreamError(FRAME_SIZE_ERROR, 1)),
    Row("6.3-priority-idle-then-lower", "6.3", "PRIORITY for idle stream 3, then HEADERS on stream 1",
        [priority(3, 0), headers(1)], Served()),
    # §6.4 RST_STREAM
    Row("6.4-rst-stream-0", "6.4", "RST_STREAM on stream 0", [rst(0)], Goaway(PROTOCOL_ERROR)),
    Row("6.4-rst-bad-length", "6.4", "RST_STREAM of 3 octets",
        [headers(1, POST, end_stream=False), frame(RST_STREAM, 0, 1, b"\x00\x00\x08")], Goaway(FRAME_SIZE_ERROR)),
    # §6.5 SETTINGS
    Row("6.5-ack-with-payload", "6.5", "SETTINGS ACK with a payload",
        [settings((INITIAL_WINDOW_SIZE, 100), ack=True)], Goaway(FRAME_SIZE_ERROR)),
    Row("6.5-settings-on-stream", "6.5", "SETTINGS on stream 1", [settings(sid=1)], Goaway(PROTOCOL_ERROR)),
    Row("6.5-bad-length", "6.5", "SETTINGS of 3 octets", [frame(SETTINGS, 0, 0, b"\x00\x03\x00")],
        Goaway(FRAME_SIZE_ERROR)),
    Row("6.5.2-enable-push-2", "6.5.2", "SETTINGS_ENABLE_PUSH = 2", [settings((ENABLE_PUSH, 2))],
        Goaway(PROTOCOL_ERROR)),
    Row("6.5.2-initial-window-too-large", "6.5.2", "SETTINGS_INITIAL_WINDOW_SIZE = 2^31",
        [settings((INITIAL_WINDOW_SIZE, 1 << 31))], Goaway(FLOW_CONTROL_ERROR)),
    Row("6.5.2-max-frame-size-too-small", "6.5.2", "SETTINGS_MAX_FRAME_SIZE = 16,383",
        [settings((MAX_FRAME_SIZE, 16383))], Goaway(PROTOCOL_ERROR)),
    Row("6.5.2-max-frame-size-too-large", "6.5.2", "SETTINGS_MAX_FRAME_SIZE = 2^24",
        [settings((MAX_FRAME_SIZE, 1 << 24))], Goaway(PROTOCOL_ERROR)),
    Row("6.5.2-unknown-setting", "6.5.2", "an unknown setting is ignored", [settings((0xFF, 1))], Served()),
    Row("6.5.3-settings-acknowledged", "6.5.3", "SETTINGS is answered with SETTINGS ACK",
        [settings((INITIAL_WINDOW_SIZE, 1 << 20))], Answer(SETTINGS, ACK, b"")),
    # §6.7 PING
    Row("6.7-ping-answered", "6.7", "PING is answered with PING ACK and the same payload",
        [ping(b"12345678")], Answer(PING, ACK, b"12345678")),
    Row("6.7-ping-ack-not-answered", "6.7", "a PING ACK from the client is not answered",
        [ping(b"12345678", ack=True)], Served()),
    Row("6.7-ping-stream-1", "6.7", "PING on stream 1", [ping(sid=1)], Goaway(PROTOCOL_ERROR)),
    Row("6.7-ping-bad-length", "6.7", "PING of 6 octets", [ping(b"short!")], Goaway(FRAME_SIZE_ERROR)),
    # §6.8 GOAWAY
    Row("6.8-goaway-stream-1", "6.8", "GOAWAY on stream 1",
        [frame(GOAWAY, 0, 1, struct.pack(">II", 0, NO_ERROR))], Goaway(PROTOCOL_ERROR)),
    # §6.9 WINDOW_UPDATE
    Row("6.9-zero-increment-connection", "6.9", "WINDOW_UPDATE of 0 on the connection", [window_update(0, 0)],
        Goaway(PROTOCOL_ERROR)),
    Row("6.9-zero-increment-stream", "6.9", "WINDOW_UPDATE of 0 on a stream",
        [headers(1, POST, end_stream=False), window_update(1, 0)], StreamError(PROTOCOL_ERROR, 1)),
    Row("6.9-bad-length", "6.9", "WINDOW_UPDATE of 3 octets", [frame(WINDOW_UPDATE, 0, 0, b"\x00\x00\x01")],
        Goaway(FRAME_SIZE_ERROR)),
    Row("6.9.1-connection-window-overflow", "6.9.1", "the connection window over 2^31-1",
        [window_update(0, (1 << 31) - 1)], Goaway(FLOW_CONTROL_ERROR)),
    Row("6.9.1-stream-window-overflow", "6.9.1", "a stream window over 2^31-1",
        [headers(1, POST, end_stream=False), window_update(1, (1 << 31) - 1)], StreamError(FLOW_CONTROL_ERROR, 1)),
    # §6.10 CONTINUATION
    Row("6.10-continuation-after-end-headers", "6.10", "CONTINUATION after a complete header block",
        [headers(1, POST, end_stream=False), continuation(1, [("x-more", "1")])], Goaway(PROTOCOL_ERROR)),
    Row("6.10-data-inside-block", "6.10", "DATA where a CONTINUATION must come",
        [headers(1, POST[:2], end_stream=False, end_headers=False), data(1)], Goaway(PROTOCOL_ERROR)),
    Row("6.10-continuation-other-stream", "6.10", "CONTINUATION on another stream",
        [headers(1, GET[:2], end_headers=False), continuation(3, GET[2:])], Goaway(PROTOCOL_ERROR)),
    Row("6.10-continuation-served", "6.10", "HEADERS + CONTINUATION is one request",
        [headers(1, GET[:2], end_headers=False), continuation(1, GET[2:])], Served()),
    # §8.1 HTTP message framing
    Row("8.1-trailers-without-end-stream", "8.1", "a second HEADERS (trailers) without END_STREAM",
        [headers(1, POST, end_stream=False), headers(1, [("x-trailer", "1")], end_stream=False)],
        StreamError(PROTOCOL_ERROR, 1)),
    Row("8.1.1-content-length-short", "8.1.1", "content-length: 10 with 4 octets of DATA",
        [headers(1, POST + [("content-length", "10")], end_stream=False), data(1)], Rst(PROTOCOL_ERROR, 1)),
    Row("8.1.1-content-length-long", "8.1.1", "content-length: 2 with 4 octets of DATA",
        [headers(1, POST + [("content-length", "2")], end_stream=False), data(1)], Rst(PROTOCOL_ERROR, 1)),
    # §8.2 fields
    Row("8.2-uppercase-name", "8.2", "a field name with an uppercase letter", malformed(("X-Upper", "1")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.1-bad-value", "8.2.1", "a field value with a line feed", malformed(("x-bad", "a\nb")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.2-connection", "8.2.2", "connection: keep-alive", malformed(("connection", "keep-alive")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.2-keep-alive", "8.2.2", "keep-alive: timeout=5", malformed(("keep-alive", "timeout=5")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.2-transfer-encoding", "8.2.2", "transfer-encoding: chunked", malformed(("transfer-encoding", "chunked")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.2-upgrade", "8.2.2", "upgrade: h2c", malformed(("upgrade", "h2c")), Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.2-te-gzip", "8.2.2", "te: gzip (only 'trailers' is allowed)", malformed(("te", "gzip")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.2.2-te-trailers", "8.2.2", "te: trailers is served", malformed(("te", "trailers")), Served()),
    # §8.3 control data (pseudo-header fields)
    Row("8.3-unknown-pseudo", "8.3", "an undefined pseudo-header (:foo)", malformed((":foo", "bar")),
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.3-response-pseudo", "8.3", "a response pseudo-header in a request (:status)",
        malformed((":status", "200")), Rst(PROTOCOL_ERROR, 1)),
    Row("8.3-pseudo-after-regular", "8.3", "a pseudo-header after a regular field",
        [headers(1, GET[:3] + [("x-a", "1"), GET[3]])], Rst(PROTOCOL_ERROR, 1)),
    Row("8.3-pseudo-in-trailers", "8.3", "a pseudo-header in trailers",
        [headers(1, POST, end_stream=False), data(1, end_stream=False), headers(1, [(":path", "/")])],
        StreamError(PROTOCOL_ERROR, 1)),
    Row("8.3.1-duplicate-method", "8.3.1", "two :method fields", [headers(1, GET[:1] + GET)],
        Rst(PROTOCOL_ERROR, 1)),
    Row("8.3.1-missing-method", "8.3.1", "no :method", [headers(1, GET[1:])], Rst(PROTOCOL_ERROR, 1)),
    Row("8.3.1-missing-scheme", "8.3.1", "no :scheme", [headers(1, GET[:1] + GET[2:])], Rst(PROTOCOL_ERROR, 1)),
    Row("8.3.1-missing-path", "8.3.1", "no :path", [headers(1, GET[:2] + GET[3:])], Rst(PROTOCOL_ERROR, 1)),
    Row("8.3.1-empty-path", "8.3.1", "an empty :path", [headers(1, GET[:2] + [(":path", ""), GET[3]])],
        Rst(PROTOCOL_ERROR, 1)),
    # §8.4 server push
    Row("8.4-push-promise-from-client", "8.4", "a client sends PUSH_PROMISE",
        [headers(1, POST, end_stream=False), frame(PUSH_PROMISE, END_HEADERS, 1, struct.pack(">I", 2) + block(GET))],
        Goaway(PROTOCOL_ERROR)),
]

# The 8 checks a public HTTP/2 conformance tester (h2spec) failed on h2soak-target before
# H2FrameChecks, and the rows that pin them. Its "half closed (remote): DATA" sends the DATA
# right after the request; it failed when the response had already ended the stream, which
# is row 5.1-closed-data (5.1-half-closed-data holds the stream open by flow control).
H2SPEC_REGRESSIONS = {
    "5.1 half closed (remote): Sends a DATA frame": ["5.1-half-closed-data", "5.1-closed-data"],
    "5.1 closed: Sends a DATA frame after sending RST_STREAM frame": ["5.1-reset-by-client-data"],
    "5.1 closed: Sends a HEADERS frame after sending RST_STREAM frame": ["5.1-reset-by-client-headers"],
    "5.1 closed: Sends a DATA frame": ["5.1-closed-data"],
    "5.1 closed: Sends a HEADERS frame": ["5.1-closed-headers"],
    "5.1.1 Sends stream identifier that is numerically smaller than previous": ["5.1.1-lower-id"],
    "5.3.1 Sends PRIORITY frame that depend on itself": ["5.3.1-priority-self-dependency"],
    "6.3 Sends a PRIORITY frame with 0x0 stream identifier": ["6.3-priority-stream-0"],
}


# ---- the raw client ----

class PeerClosed(Exception):
    pass


class Peer:
    """One h2c connection: sends bytes, reads whole frames (type, flags, stream id, payload)."""

    def __init__(self, port):
        self.sock = connect(port)
        self.buf = b""
        self.closed = False
        self.seen = []  # every frame read, for failure messages

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True

    def frame(self, deadline):
        """The next frame, or None at the deadline; raises PeerClosed when the server closed."""
        while True:
            if len(self.buf) >= 9:
                n = int.from_bytes(self.buf[:3], "big")
                if len(self.buf) >= 9 + n:
                    f = (self.buf[3], self.buf[4], int.from_bytes(self.buf[5:9], "big") & 0x7FFFFFFF, self.buf[9:9 + n])
                    self.buf = self.buf[9 + n:]
                    self.seen.append(describe(f))
                    return f
            if self.closed:
                raise PeerClosed()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
            self.buf += chunk

    def wait_close(self, deadline):
        """True once the server closed the connection (bytes before it are dropped)."""
        while time.monotonic() < deadline:
            try:
                if self.frame(deadline) is None:
                    return False
            except PeerClosed:
                return True
        return False

    def handshake(self, client_settings, ack):
        self.send(PREFACE + settings(*client_settings))
        deadline = time.monotonic() + ROW_TIMEOUT
        got_settings = got_ack = False
        while not (got_settings and got_ack):
            f = self.frame(deadline)
            assert f is not None, f"handshake timed out; got {self.seen}"
            if f[0] == SETTINGS and f[1] & ACK:
                got_ack = True
            elif f[0] == SETTINGS:
                got_settings = True
                if ack:
                    self.send(settings(ack=True))
        # Everything sent before the PING has been applied once its ACK is back.
        self.send(ping(b"ready!!!"))
        while True:
            f = self.frame(deadline)
            assert f is not None, f"no PING ACK in the handshake; got {self.seen}"
            if f[0] == PING and f[1] & ACK and f[3] == b"ready!!!":
                break
        self.seen.clear()


def describe(f):
    ftype, flags, sid, payload = f
    names = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
             "WINDOW_UPDATE", "CONTINUATION"]
    name = names[ftype] if ftype < len(names) else hex(ftype)
    if ftype == RST_STREAM and len(payload) == 4:
        return f"RST_STREAM({sid}, {err(int.from_bytes(payload, 'big'))})"
    if ftype == GOAWAY and len(payload) >= 8:
        last, code = struct.unpack(">II", payload[:8])
        return f"GOAWAY(last={last & 0x7FFFFFFF}, {err(code)}, {payload[8:]!r})"
    return f"{name}(sid={sid}, flags={flags:#x}, {len(payload)}B)"


def status_200(payload, flags):
    """True when a response HEADERS block starts with :status 200 (static index 8)."""
    if flags & PADDED:
        payload = payload[1:]
    if flags & PRIORITY_FLAG:
        payload = payload[5:]
    while payload and payload[0] & 0xE0 == 0x20:  # dynamic table size update
        payload = payload[1:]
    return payload[:1] == b"\x88"


def max_client_stream(frames):
    """Highest stream id the row's HEADERS or PRIORITY frames name (the probe goes above it)."""
    top, i = 0, 0
    while i + 9 <= len(frames):
        n = int.from_bytes(frames[i:i + 3], "big")
        if frames[i + 3] in (HEADERS, PRIORITY):
            top = max(top, int.from_bytes(frames[i + 5:i + 9], "big") & 0x7FFFFFFF)
        i += 9 + n
    return top


# ---- running a row ----

def run_row(port, row):
    """Runs one row; returns a short description of what the server answered (for the report)."""
    peer = Peer(port)
    try:
        if row.handshake:
            peer.handshake(row.settings, row.ack)
        sent = b""
        pending = b""
        for step in row.send:
            if isinstance(step, bytes):
                pending += step
                continue
            peer.send(pending)
            sent += pending
            pending = b""
            wait_for(peer, step)
        peer.send(pending)
        sent += pending
        probe = (max_client_stream(sent) if row.handshake else 0) // 2 * 2 + 3  # the next odd id
        return check(peer, row.expect, probe)
    finally:
        peer.sock.close()


def wait_for(peer, step):
    deadline = time.monotonic() + ROW_TIMEOUT
    while True:
        try:
            f = peer.frame(deadline)
        except PeerClosed:
            pytest.fail(f"connection closed while waiting for {step}; got {peer.seen}")
        assert f is not None, f"timed out waiting for {step}; got {peer.seen}"
        ftype, flags, sid, _ = f
        assert ftype != GOAWAY, f"GOAWAY while waiting for {step}; got {peer.seen}"
        if sid != step.sid:
            continue
        if isinstance(step, WaitHeaders) and ftype == HEADERS:
            return
        if isinstance(step, WaitEnd) and ftype in (DATA, HEADERS) and flags & END_STREAM:
            return
        if isinstance(step, WaitRst) and ftype == RST_STREAM:
            return
        assert ftype != RST_STREAM, f"RST_STREAM while waiting for {step}; got {peer.seen}"


def check(peer, expect, probe):
    deadline = time.monotonic() + ROW_TIMEOUT
    if isinstance(expect, Closed):
        assert peer.wait_close(deadline), f"connection still open; got {peer.seen}"
        return "closed"
    if isinstance(expect, Served):
        return expect_served(peer, probe, deadline)
    while True:
        try:
            f = peer.frame(deadline)
        except PeerClosed:
            pytest.fail(f"connection closed, expected {expect}; got {peer.seen}")
        assert f is not None, f"timed out, expected {expect}; got {peer.seen}"
        ftype, flags, sid, payload = f
        if ftype == GOAWAY:
            last, code = struct.unpack(">II", payload[:8])
            if isinstance(expect, (Goaway, StreamError)) and code == expect.code:
                if isinstance(expect, Goaway) and expect.last is not None:
                    assert last & 0x7FFFFFFF == expect.last, f"GOAWAY last stream; got {peer.seen}"
                assert peer.wait_close(time.monotonic() + ROW_TIMEOUT), "no close after GOAWAY"
                return f"GOAWAY({err(code)})"
            pytest.fail(f"expected {expect}; got {peer.seen}")
        if ftype == RST_STREAM:
            code = int.from_bytes(payload, "big")
            if isinstance(expect, (Rst, StreamError)) and sid == expect.sid and code == expect.code:
                if isinstance(expect, Rst):
                    peer.send(expect.before_probe)
                    expect_served(peer, probe, time.monotonic() + ROW_TIMEOUT)
                return f"RST_STREAM({err(code)})"
            pytest.fail(f"expected {expect}; got {peer.seen}")
        if isinstance(expect, Answer) and ftype == expect.ftype and flags & expect.flags == expect.flags:
            if expect.payload is None or payload == expect.payload:
                return describe(f)


def expect_served(peer, probe, deadline):
    peer.send(headers(probe))
    while True:
        try:
            f = peer.frame(deadline)
        except PeerClosed:
            pytest.fail(f"connection closed, expected a 200 on stream {probe}; got {peer.seen}")
        assert f is not None, f"timed out, expected a 200 on stream {probe}; got {peer.seen}"
        ftype, flags, sid, payload = f
        assert ftype not in (GOAWAY, RST_STREAM), f"expected a 200 on stream {probe}; got {peer.seen}"
        if ftype == HEADERS and sid == probe:
            assert status_200(payload, flags), f"stream {probe} not answered 200; got {peer.seen}"
            return "served"


# ---- servers ----

NGHTTPD = shutil.which("nghttpd") or ("/usr/sbin/nghttpd" if os.access("/usr/sbin/nghttpd", os.X_OK) else None)


class Nghttpd:
    """Debian's nghttpd on a free loopback port, serving a one-file document root."""

    def __init__(self):
        self.root = tempfile.TemporaryDirectory()
        with open(os.path.join(self.root.name, "index.html"), "w") as f:
            f.write("<!doctype html><p>nghttpd reference</p>\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen([NGHTTPD, "--no-tls", "-a", "127.0.0.1", "-d", self.root.name, str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    pytest.fail("nghttpd did not start")
                time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.root.cleanup()


@pytest.fixture(scope="module")
def h2soak_target():
    server = Server("--no-tls", "--max-concurrent-streams", str(STREAM_LIMIT))
    yield server
    code = server.stop()
    assert code == 0, f"h2soak-target exited {code}; stderr:\n{server.log()[-4000:]}"


@pytest.fixture(scope="module")
def nghttpd():
    if not NGHTTPD:
        pytest.skip("nghttpd (Debian package nghttp2-server) is not installed")
    server = Nghttpd()
    yield server
    server.stop()


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_h2soak_target(h2soak_target, row):
    run_row(h2soak_target.port, row)


@pytest.mark.parametrize("row", [pytest.param(r, marks=pytest.mark.xfail(reason=r.xfail_nghttpd, strict=True))
                                 if r.xfail_nghttpd else r for r in ROWS], ids=[r.name for r in ROWS])
def test_nghttpd_reference(nghttpd, row):
    run_row(nghttpd.port, row)


def test_table_covers_the_h2spec_regressions():
    names = {r.name for r in ROWS}
    assert len(names) == len(ROWS), "row names are unique"
    for check, rows in H2SPEC_REGRESSIONS.items():
        assert set(rows) <= names, check
