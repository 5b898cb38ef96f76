#pragma once
// Parsed target URLs ("http://127.0.0.1:8080/path", "https://[::1]/x").
// The engine accepts http (h2c with prior knowledge, or HTTP/1.1 with --h1)
// and https (TLS with ALPN). Parsing happens once, before any socket opens.

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/util/result.h"

namespace h2soak::net {

struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // without brackets: "127.0.0.1", "::1", "localhost"
  std::uint16_t port = 0; // explicit or the scheme's default (80 / 443)
  std::string authority;  // host[:port] as it goes into :authority / Host
  std::string path;       // path + query, "/" when empty

  bool tls() const { return scheme == "https"; }
  // scheme://authority (no path): the key of a connection pool.
  std::string origin() const { return scheme + "://" + authority; }
  std::string to_string() const { return origin() + path; }
};

// Fails with a message naming the URL on anything but http(s)://host[:port][/path].
Result<Url> parse_url(std::string_view text);

}  // namespace h2soak::net
