#include "target_server/handlers/login.h"

#include <fmt/format.h>

#include <cctype>

namespace h2soak::server {

std::string login_user(std::string_view target) {
  size_t q = target.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (!kv.starts_with("user=")) continue;
    std::string user;
    for (char c : kv.substr(5)) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') user += c;
      if (user.size() == 32) break;
    }
    if (!user.empty()) return user;
  }
  return "guest";
}

Response login_response(const Request& req, SessionStore& sessions) {
  std::string user = login_user(req.target);
  std::string sid = sessions.create(user, SessionStore::Clock::now());
  auto ttl_s = std::chrono::duration_cast<std::chrono::seconds>(sessions.ttl()).count();
  Response r = Response::text(200, fmt::format("{{\"user\":\"{}\",\"ttl_s\":{}}}\n", user, ttl_s), "application/json");
  r.headers.push_back(
      {"set-cookie", r.keep(fmt::format("sid={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax", sid, ttl_s))});
  r.headers.push_back({"cache-control", "no-store"});
  return r;
}

}  // namespace h2soak::server
