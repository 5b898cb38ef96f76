// The reference server's HTTP/2 session (nghttp2, memory send/recv) on raw
// client bytes, in memory (target_server/tests/session_fixture.h; no socket,
// no thread). The input is what follows the client connection preface, which
// the target sends first, so that mutations are spent on frames. When the
// session is gone, every stream it opened must have been released.
#include <string_view>

#include <nghttp2/nghttp2.h>

#include "fuzz/fuzz_input.h"
#include "fuzz/session_driver.h"
#include "target_server/h2_session.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace h2soak;
  if (size > fuzz::kMaxInput) return 0;
  const std::string_view preface(NGHTTP2_CLIENT_MAGIC, NGHTTP2_CLIENT_MAGIC_LEN);
  fuzz::ServerInstance server(fuzz::SharedServer::get());
  {
    h2soak::server::H2Session session(server.env(h2soak::server::Protocol::kH2c));
    fuzz::SessionDriver driver(session);
    driver.run(preface, fuzz::as_text(data, size));
    driver.shut_down();
  }
  H2SOAK_FUZZ_CHECK(server.stats.streams_active.get() == 0);
  H2SOAK_FUZZ_CHECK(server.stats.sse_active.get() == 0);
  return 0;
}
