#include "harness/launch/readiness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "harness/launch/target_process.h"

namespace h2soak::launch {
namespace {

using namespace std::chrono_literals;

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string log_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string("h2soak_probe_") + name + "_" +
                                                    std::to_string(::getpid()) + ".log"))
      .string();
}

// Debian's python3 serving HTTP/1.1 on 127.0.0.1, printing its port first.
constexpr const char* kPythonServer =
    "import http.server\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        self.send_response(404 if self.path == '/missing' else 200)\n"
    "        self.send_header('Content-Length', '2')\n"
    "        self.end_headers()\n"
    "        self.wfile.write(b'ok')\n"
    "    def log_message(self, *a): pass\n"
    "s = http.server.HTTPServer(('127.0.0.1', 0), H)\n"
    "print(s.server_address[1], flush=True)\n"
    "s.serve_forever()\n";

TEST(Readiness, AnswersAgainstARealServer) {
  SpawnOptions o;
  o.argv = {"/usr/bin/python3", "-c", kPythonServer};
  o.log_path = log_path("ok");
  auto t = TargetProcess::spawn(o);
  ASSERT_TRUE(t.ok()) << t.error().message();
  auto port = (*t)->wait_port_line(10s);
  ASSERT_TRUE(port.ok()) << port.error().message();
  ProbeOptions p;
  p.url = "http://127.0.0.1:" + std::to_string(*port) + "/";
  p.timeout = 5s;
  p.http = ProbeHttp::kH1;
  auto st = wait_until_ready(p, [&] { return (*t)->alive(); });
  EXPECT_TRUE(st.ok()) << st.error().message();
  auto code = probe_once(p, 1s);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 200);
  p.url = "http://127.0.0.1:" + std::to_string(*port) + "/missing";
  EXPECT_TRUE(wait_until_ready(p).ok());  // a 404 still means the server is up
  auto end = (*t)->stop(3s);
  EXPECT_TRUE(end.clean()) << end.describe();
  std::filesystem::remove(o.log_path);
}

TEST(Readiness, NotListeningTimesOutWithAClearError) {
  ProbeOptions p;
  p.url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  p.timeout = 500ms;
  auto t0 = now();
  auto st = wait_until_ready(p);
  double took = seconds_between(t0, now());
  ASSERT_FALSE(st.ok());
  EXPECT_GE(took, 0.45);
  EXPECT_LT(took, 2.0);
  const std::string msg = st.error().message();
  EXPECT_NE(msg.find("not ready after 500 ms"), std::string::npos) << msg;
  EXPECT_NE(msg.find("127.0.0.1"), std::string::npos) << msg;
  EXPECT_TRUE(msg.find("onnect") != std::string::npos || msg.find("refused") != std::string::npos) << msg;
}

TEST(Readiness, StopsAtOnceWhenTheTargetDied) {
  ProbeOptions p;
  p.url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  p.timeout = 10s;
  auto t0 = now();
  auto st = wait_until_ready(p, [] { return false; });
  ASSERT_FALSE(st.ok());
  EXPECT_LT(seconds_between(t0, now()), 1.0);
  EXPECT_NE(st.error().message().find("exited before"), std::string::npos);
}

}  // namespace
}  // namespace h2soak::launch
