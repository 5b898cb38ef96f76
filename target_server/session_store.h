#pragma once
// Login sessions: sid -> user, each with an expiry. Shared by all workers behind one mutex
// (only /login and pages carrying a sid cookie touch it; it is not on the asset hot path).
// Expired entries are removed by sweep(), which the server calls periodically; find() also
// ignores an expired entry that the sweep has not reached yet.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace h2soak::server {

class SessionStore {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SessionStore(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  /// Creates a session for `user` valid until now + ttl; returns its id (32 hex chars).
  std::string create(std::string user, Clock::time_point now);
  /// The user of a live session, or nullopt when unknown or expired.
  std::optional<std::string> find(std::string_view sid, Clock::time_point now) const;
  /// Removes every session expired at `now`; returns how many were removed.
  size_t sweep(Clock::time_point now);
  size_t size() const;
  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  struct Entry {
    std::string user;
    Clock::time_point expires;
  };
  std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> sessions_;
};

/// Value of cookie `name` in a Cookie header ("a=1; sid=abc"), or empty.
std::string_view cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace h2soak::server
