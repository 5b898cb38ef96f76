// h2soak-target: parses the command line into a Config and runs the Server.
// Exit codes: 0 clean shutdown or --help; 1 start-up failure; 2 bad usage.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include "target_server/config.h"
#include "target_server/faults/fault.h"
#include "target_server/server.h"

namespace {

using h2soak::server::Config;
using h2soak::server::Millis;

constexpr int kExitUsage = 2;

// A CLI11 validator for "30s" / "500ms" / plain seconds.
CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& s) {
        return h2soak::server::parse_duration(s) ? std::string() : "not a duration (e.g. 30s, 500ms, 2): " + s;
      },
      "DURATION");
}

CLI::Validator size_validator() {
  return CLI::Validator(
      [](std::string& s) {
        return h2soak::server::parse_size(s) ? std::string() : "not a size (e.g. 16MiB, 64KiB, 1024): " + s;
      },
      "SIZE");
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  std::string sse_interval = "100ms", session_ttl = "60s", idle_timeout = "30s", read_timeout = "10s",
              grace = "5s", upload_limit = "16MiB", max_header = "16KiB", response_backlog = "1MiB",
              page_cost = "0";
  std::vector<std::string> faults;
  bool no_tls = false, tls_only = false;

  CLI::App app{"h2soak-target: the reference multi-page HTTP/2 server of h2soak.\n"
               "Serves h2 over TLS (ALPN), h2c with prior knowledge and HTTP/1.1 on one port.\n"
               "Prints the bound port alone on stdout's first line.",
               "h2soak-target"};
  app.add_option("--port", cfg.port, "TCP port; 0 picks a free one")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--bind", cfg.bind, "Address to listen on")->capture_default_str();
  app.add_option("--threads", cfg.threads, "Worker threads (one libev loop each)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--pages", cfg.pages, "Number of /page/{n} pages")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--sse-interval", sse_interval, "Interval between /events events")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--upload-limit", upload_limit, "Largest accepted /upload body")
      ->capture_default_str()
      ->check(size_validator());
  app.add_option("--session-ttl", session_ttl, "Login session lifetime")->capture_default_str()->check(duration_validator());
  app.add_option("--max-concurrent-streams", cfg.max_concurrent_streams, "HTTP/2 streams per connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--response-backlog", response_backlog,
                 "HTTP/2: rendered, unsent response bytes per connection before further requests wait")
      ->capture_default_str()
      ->check(size_validator());
  app.add_option("--idle-timeout", idle_timeout, "Close a connection idle (no open request) this long")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--read-timeout", read_timeout, "TLS handshake and request headers must arrive within it")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--max-header-size", max_header, "Request header block limit (431 above)")
      ->capture_default_str()
      ->check(size_validator());
  app.add_option("--max-connections", cfg.max_connections, "Open connections; more are closed on accept")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  app.add_option("--grace", grace, "Shutdown grace period for in-flight responses")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--page-cost", page_cost,
                 "CPU to busy-spin per /page/{n} response on the worker thread (\"2ms\"): a known capacity")
      ->capture_default_str()
      ->check(duration_validator());
  app.add_option("--cert", cfg.cert_file, "PEM certificate chain (default: self-signed, generated at start)");
  app.add_option("--key", cfg.key_file, "PEM private key for --cert");
  auto* no_tls_flag = app.add_flag("--no-tls", no_tls, "Plain h2c and HTTP/1.1 only");
  app.add_flag("--tls-only", tls_only, "TLS only (h2 and HTTP/1.1 by ALPN)")->excludes(no_tls_flag);
  app.add_option("--pidfile", cfg.pidfile, "Write the process id to this file (removed at exit)");
  app.add_option("--fault", faults,
                 "Commit a deliberate leak: NAME or NAME:SCALE (repeatable); '--fault list' describes them")
      ->type_name("NAME[:SCALE]");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    std::cerr << "h2soak-target: " << e.what() << "\n\n" << app.help();
    return kExitUsage;
  }

  h2soak::server::FaultSet fault_set;
  for (const std::string& f : faults) {
    if (f == "list") {
      std::cout << h2soak::server::FaultSet::describe_catalogue();
      return 0;
    }
    std::string error;
    if (!fault_set.add(f, &error)) {
      std::cerr << "h2soak-target: " << error << "\n";
      return kExitUsage;
    }
  }
  cfg.tls_mode = no_tls ? h2soak::server::TlsMode::kNoTls
                        : (tls_only ? h2soak::server::TlsMode::kTlsOnly : h2soak::server::TlsMode::kBoth);
  cfg.sse_interval = *h2soak::server::parse_duration(sse_interval);
  cfg.session_ttl = *h2soak::server::parse_duration(session_ttl);
  cfg.idle_timeout = *h2soak::server::parse_duration(idle_timeout);
  cfg.read_timeout = *h2soak::server::parse_duration(read_timeout);
  cfg.grace = *h2soak::server::parse_duration(grace);
  cfg.upload_limit = *h2soak::server::parse_size(upload_limit);
  cfg.max_header_bytes = static_cast<uint32_t>(*h2soak::server::parse_size(max_header));
  cfg.response_backlog = *h2soak::server::parse_size(response_backlog);
  cfg.page_cost = *h2soak::server::parse_duration_us(page_cost);
  if (cfg.sse_interval < Millis(1)) {
    std::cerr << "h2soak-target: --sse-interval must be at least 1ms\n";
    return kExitUsage;
  }
  if (cfg.idle_timeout < Millis(1) || cfg.read_timeout < Millis(1)) {
    std::cerr << "h2soak-target: timeouts must be at least 1ms\n";
    return kExitUsage;
  }
  if (cfg.cert_file.empty() != cfg.key_file.empty()) {
    std::cerr << "h2soak-target: --cert and --key go together\n";
    return kExitUsage;
  }
  fault_set.configure(cfg);  // after the flags: a fault overrides what it breaks
  h2soak::server::Server server(std::move(cfg), std::move(fault_set));
  return server.run();
}
