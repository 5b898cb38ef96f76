#include "target_server/h2_frame_checks.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>

namespace h2soak::server {
namespace {

constexpr size_t kHeaderLength = 9;
constexpr uint32_t kPriorityLength = 5;

uint32_t read_u32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

}  // namespace

size_t H2FrameChecks::split(const uint8_t* data, size_t len) {
  at_checkpoint_ = false;
  size_t i = 0;
  if (have_ > 0) {  // a frame header or PRIORITY payload began in an earlier read
    i = resume(data, len);
    if (at_checkpoint_ || i == len) return i;
  }
  // Whole frame headers from here; locals in the loop (stores through uint8_t pointers would
  // make the compiler reload members).
  size_t skip = skip_;  // the client magic, or a payload that is not checked
  for (;;) {
    if (len - i <= skip) {
      skip_ = static_cast<uint32_t>(skip - (len - i));
      return len;
    }
    i += skip;
    const size_t want = in_priority_ ? kPriorityLength : kHeaderLength;
    if (len - i < want) {  // the rest arrives with the next read
      std::memcpy(buf_, data + i, len - i);
      have_ = static_cast<uint8_t>(len - i);
      skip_ = 0;
      return len;
    }
    const uint8_t* h = data + i;
    i += want;
    if (in_priority_) {
      read_priority(h);
      skip_ = 0;
      return i;
    }
    skip = uint32_t{h[0]} << 16 | uint32_t{h[1]} << 8 | h[2];
    if (h[3] > NGHTTP2_PRIORITY) continue;  // only DATA (0), HEADERS (1) and PRIORITY (2) are checked
    if (classify(h, static_cast<uint32_t>(skip))) {
      skip_ = static_cast<uint32_t>(skip);
      return i;
    }
    if (in_priority_) skip = 0;  // its payload is read next
  }
}

size_t H2FrameChecks::resume(const uint8_t* data, size_t len) {
  const size_t want = in_priority_ ? kPriorityLength : kHeaderLength;
  const size_t n = std::min(want - have_, len);
  std::memcpy(buf_ + have_, data, n);
  have_ = static_cast<uint8_t>(have_ + n);
  if (have_ < want) return len;
  have_ = 0;
  if (in_priority_) {
    read_priority(buf_);
    return n;
  }
  skip_ = uint32_t{buf_[0]} << 16 | uint32_t{buf_[1]} << 8 | buf_[2];
  if (buf_[3] <= NGHTTP2_PRIORITY && classify(buf_, skip_)) return n;
  if (in_priority_) skip_ = 0;
  return n;
}

void H2FrameChecks::read_priority(const uint8_t* payload) {
  in_priority_ = false;
  frame_.dependency = static_cast<int32_t>(read_u32(payload) & 0x7fffffffu);
  at_checkpoint_ = true;
}

bool H2FrameChecks::classify(const uint8_t* h, uint32_t length) {
  const int32_t id = static_cast<int32_t>(read_u32(h + 5) & 0x7fffffffu);
  const uint8_t type = h[3];
  if (type == NGHTTP2_PRIORITY) {
    // Another length is nghttp2's FRAME_SIZE_ERROR; a full one is checked once it is read.
    in_priority_ = length == kPriorityLength;
  } else if ((id & 1) == 0) {
    return false;  // stream 0 and even ids: nghttp2's PROTOCOL_ERROR
  } else if (id > highest_) {
    if (type == NGHTTP2_HEADERS) highest_ = id;
    return false;  // a new stream: nghttp2's rules
  }
  frame_.length = length;
  frame_.type = type;
  frame_.flags = h[4];
  frame_.stream_id = id;
  frame_.dependency = 0;
  at_checkpoint_ = type != NGHTTP2_PRIORITY;  // DATA or HEADERS on a stream used before
  return at_checkpoint_;
}

std::optional<uint32_t> H2FrameChecks::judge(const Frame& frame, bool open) const {
  if (frame.type == NGHTTP2_PRIORITY) {
    if (frame.stream_id == 0) return NGHTTP2_PROTOCOL_ERROR;  // RFC 9113 6.3
    // A stream depending on itself: RFC 7540 5.3.1 makes it a stream error; as nghttp2 does
    // for HEADERS, the connection ends.
    if (frame.dependency == frame.stream_id) return NGHTTP2_PROTOCOL_ERROR;
    return std::nullopt;
  }
  if (open) return std::nullopt;
  switch (closed_as(frame.stream_id)) {
    case Closed::kByPeer: return NGHTTP2_STREAM_CLOSED;  // RFC 9113 5.1
    case Closed::kByServer: return std::nullopt;          // in flight when the server reset it: ignored
    case Closed::kUnknown: break;
  }
  // HEADERS: a new stream id not above the previous ones (RFC 9113 5.1.1). DATA for a stream
  // long closed, or never opened: ignored, as nghttp2 does.
  if (frame.type == NGHTTP2_HEADERS) return NGHTTP2_PROTOCOL_ERROR;
  return std::nullopt;
}

void H2FrameChecks::stream_closed(int32_t stream_id, bool by_peer) {
  history_[next_] = by_peer ? stream_id : -stream_id;
  next_ = (next_ + 1) & (kHistory - 1);
}

H2FrameChecks::Closed H2FrameChecks::closed_as(int32_t stream_id) const {
  for (int32_t entry : history_) {
    if (entry == stream_id) return Closed::kByPeer;
    if (entry == -stream_id) return Closed::kByServer;
  }
  return Closed::kUnknown;
}

}  // namespace h2soak::server
