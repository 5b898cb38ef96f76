#pragma once
// A request as workloads describe it, protocol-neutral, built once before the
// load starts and read by many streams (never copied per request).
//
// The header list is kept in nghttp2's nghttp2_nv layout (pointers into this
// object's own strings, prepared once by finalize()): the h2 session submits
// it as is — no per-request header building — and the h1 path reads the same
// fields. A Request must stay alive and unmodified while any stream uses it,
// and is owned by one worker (workloads build one set per worker).

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "harness/net/url.h"
#include "harness/util/result.h"

namespace h2soak::net {

// The bytes of a request body, shared read-only by every stream that sends it.
// Streams send it through a data provider that copies frame-sized slices
// (flow control decides when); the whole body is never copied per request.
// `length` sends only a prefix of `bytes` (e.g. one large shared pattern
// buffer serving uploads of many sizes); the default sends all of it.
struct Body {
  std::shared_ptr<const std::string> bytes;
  std::size_t length = static_cast<std::size_t>(-1);
  std::size_t size() const { return bytes ? (length < bytes->size() ? length : bytes->size()) : 0; }
};

// Body of `size` bytes of a repeating printable pattern.
Body make_generated_body(std::size_t size);
// Body with the contents of `path`.
Result<Body> load_body_file(const std::string& path);

struct Request {
  Url url;
  std::string method = "GET";
  // Extra headers in order; names are lower-cased by finalize(). ":authority"
  // or "host" here override the URL's authority.
  std::vector<std::pair<std::string, std::string>> headers;
  Body body;

  // Fills `nva` (and content-length for bodies). Call after the fields above
  // are final; the Request must not move afterwards (nva points into it) —
  // keep Requests in a std::deque or behind unique_ptr.
  void finalize();
  const std::vector<nghttp2_nv>& nva() const { return nva_; }
  // Compressed size is not known here; this is the plain header size in bytes.
  std::size_t header_bytes() const { return header_bytes_; }

 private:
  std::string content_length_;
  std::vector<nghttp2_nv> nva_;
  std::size_t header_bytes_ = 0;
};

}  // namespace h2soak::net
