// The reference server's HTTP/1.1 session on raw client bytes, in memory
// (fuzz/session_driver.h; no socket, no thread): parsing,
// pipelining, bodies, uploads, every route. When the session is gone, every
// exchange it opened must have been released (the gauges the leak detection
// of h2soak itself relies on).
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "fuzz/session_driver.h"
#include "target_server/h1_session.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  fuzz::ServerInstance server(fuzz::SharedServer::get());
  {
    h2soak::server::H1Session session(server.env(h2soak::server::Protocol::kH1));
    fuzz::SessionDriver driver(session);
    driver.run({}, fuzz::as_text(data, size));
    driver.shut_down();
  }
  H2SOAK_FUZZ_CHECK(server.stats.streams_active.get() == 0);
  H2SOAK_FUZZ_CHECK(server.stats.sse_active.get() == 0);
  return 0;
}
