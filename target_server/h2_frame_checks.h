#pragma once
// The RFC 9113 checks that libnghttp2 1.52 leaves out in H2Session's configuration, and the
// inbound frame cursor that lets H2Session run them at the right moment.
//
// H2Session sends SETTINGS_NO_RFC7540_PRIORITIES = 1 and keeps no closed streams: nghttp2
// then skips the PRIORITY frame's rules and forgets a stream as soon as it closes, so it
// ignores DATA or HEADERS on a closed stream instead of answering STREAM_CLOSED. Turning both
// back on restores those checks in nghttp2 (as nghttpd runs) at the cost of the RFC 7540
// dependency tree and the closed streams kept per connection; these checks give the same
// answers without that. They also answer PROTOCOL_ERROR to a new stream whose id is lower
// than one already used, which nghttp2 ignores in either configuration.
//
// Use (H2Session::on_read): pass input to nghttp2 in the pieces split() returns; after each
// piece, if checkpoint() names a frame, call judge() with what nghttp2 knows of its stream
// and end the connection with the error code it returns. A piece ends right after the header
// of a DATA or HEADERS frame on a stream id the client has used before, and right after the
// payload of a PRIORITY frame, so nghttp2 has processed every earlier frame by then.
// stream_closed() records how each stream ended. Single-threaded, one per connection.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace h2soak::server {

class H2FrameChecks {
 public:
  struct Frame {
    uint32_t length = 0;
    uint8_t type = 0;
    uint8_t flags = 0;
    int32_t stream_id = 0;
    int32_t dependency = 0;  ///< PRIORITY only: the stream it depends on
  };
  /// How many of the `len` (> 0) bytes at `data` nghttp2 gets next: all of them, or fewer,
  /// ending where a frame is to be checked. The client's 24-byte magic comes first.
  size_t split(const uint8_t* data, size_t len);
  /// The frame at whose checkpoint the last split() ended, or null.
  const Frame* checkpoint() const { return at_checkpoint_ ? &frame_ : nullptr; }
  /// The verdict on a checkpoint frame: the RFC 9113 error code of the connection error to
  /// send (GOAWAY), or nothing (nghttp2 handles or ignores the frame). `open`: nghttp2 has
  /// the stream open; its own checks, half-closed (remote) included, then apply.
  std::optional<uint32_t> judge(const Frame& frame, bool open) const;

  /// A client stream closed. `by_peer`: the client had sent END_STREAM or RST_STREAM on it,
  /// so a later DATA or HEADERS is a connection error STREAM_CLOSED (RFC 9113 §5.1);
  /// otherwise the server reset or refused it, and the client's frames still in flight are
  /// ignored (§5.1: "MUST ignore frames that it receives on closed streams after it has sent
  /// a RST_STREAM frame"). The last kHistory closes are remembered; past that a late DATA is
  /// ignored and a late HEADERS is treated as a reused stream id (§5.1 lets an endpoint limit
  /// the period over which it ignores frames).
  void stream_closed(int32_t stream_id, bool by_peer);

  static constexpr size_t kHistory = 64;  // a power of two

 private:
  enum class Closed : uint8_t { kUnknown, kByPeer, kByServer };
  Closed closed_as(int32_t stream_id) const;
  // A DATA, HEADERS or PRIORITY frame header: true (and at_checkpoint_) when the frame is
  // checked now; a PRIORITY frame of 5 octets sets in_priority_ (checked after its payload).
  bool classify(const uint8_t* header, uint32_t length);
  size_t resume(const uint8_t* data, size_t len);  // completes buf_; returns bytes used
  void read_priority(const uint8_t* payload);      // the PRIORITY checkpoint

  uint32_t skip_ = 24;        // bytes left of the client magic (24) or of an unchecked payload
  uint8_t buf_[9]{};          // a frame header, or a PRIORITY payload, split across reads
  uint8_t have_ = 0;          // bytes of buf_ filled
  bool in_priority_ = false;  // reading a PRIORITY payload
  bool at_checkpoint_ = false;
  Frame frame_;
  int32_t highest_ = 0;  // highest odd stream id a client HEADERS frame named
  // The last kHistory closed streams: the id, negated when the server ended it (0 = empty).
  std::array<int32_t, kHistory> history_{};
  size_t next_ = 0;
};

}  // namespace h2soak::server
