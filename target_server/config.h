#pragma once
// Server configuration: a plain value filled by main.cc from the command line and
// read (never written) by every other part of the server after start.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace h2soak::server {

using Millis = std::chrono::milliseconds;

/// Which protocols the single listening port accepts.
enum class TlsMode { kBoth, kNoTls, kTlsOnly };

struct Config {
  std::string bind = "127.0.0.1";
  int port = 8443;  ///< 0 = pick a free port; the bound port is printed on stdout.
  int threads = 2;  ///< Worker threads, each with its own libev loop.
  int pages = 20;   ///< /page/1 .. /page/{pages}
  TlsMode tls_mode = TlsMode::kBoth;
  std::string cert_file;  ///< PEM; empty = self-signed certificate generated at start.
  std::string key_file;
  std::string pidfile;

  Millis sse_interval{100};
  uint64_t upload_limit = 16u << 20;  ///< Bytes; a larger body gets 413.
  Millis session_ttl{60'000};

  uint32_t max_concurrent_streams = 100;  ///< Per h2 connection.
  /// Per h2 connection: bytes of rendered responses not yet sent in full. Past it, further
  /// complete requests wait (in order) until earlier responses finish, so a peer that does
  /// not read holds at most this much (plus one response), not streams x page size.
  uint64_t response_backlog = 1u << 20;
  Millis idle_timeout{30'000};            ///< A connection without streams is closed after it.
  Millis read_timeout{10'000};            ///< Request headers (and the TLS handshake) must arrive within it.
  uint32_t max_header_bytes = 16u << 10;  ///< Request header block limit (h1 and h2).
  int max_connections = 10'000;           ///< Accepted connections beyond it are closed at once.
  Millis grace{5'000};                    ///< In-flight responses may finish within it at shutdown.
  /// CPU burnt (busy-spun on the worker thread) per /page/{n} response: a service made slower on
  /// purpose, with a known capacity (one worker thread serves at most 1 s / page_cost pages/s).
  std::chrono::microseconds page_cost{0};
};

/// Parses "30s", "500ms", "2m", "1h" or a plain number of seconds ("1.5"). nullopt on error.
std::optional<Millis> parse_duration(std::string_view text);

/// parse_duration to the microsecond ("1ms", "250us", "0.5ms"). nullopt on error.
std::optional<std::chrono::microseconds> parse_duration_us(std::string_view text);

/// Parses "16MiB", "64KiB", "1GiB", "10MB", "512" (bytes). nullopt on error.
std::optional<uint64_t> parse_size(std::string_view text);

}  // namespace h2soak::server
