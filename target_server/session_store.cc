#include "target_server/session_store.h"

#include <openssl/rand.h>

#include <stdexcept>

namespace h2soak::server {

std::string SessionStore::create(std::string user, Clock::time_point now) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid;
  for (unsigned char c : raw) {
    sid += kHex[c >> 4];
    sid += kHex[c & 15];
  }
  std::lock_guard lock(mu_);
  sessions_[sid] = Entry{std::move(user), now + ttl_};
  return sid;
}

std::optional<std::string> SessionStore::find(std::string_view sid, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(std::string(sid));
  if (it == sessions_.end() || it->second.expires <= now) return std::nullopt;
  return it->second.user;
}

size_t SessionStore::sweep(Clock::time_point now) {
  std::lock_guard lock(mu_);
  size_t removed = std::erase_if(sessions_, [now](const auto& kv) { return kv.second.expires <= now; });
  if (sessions_.empty()) {
    // Give the bucket array back too, so that an idle server holds nothing for sessions.
    std::unordered_map<std::string, Entry>().swap(sessions_);
  }
  return removed;
}

size_t SessionStore::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view part = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
  }
  return {};
}

}  // namespace h2soak::server
