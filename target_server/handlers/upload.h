#pragma once
// "/upload" (POST/PUT): the body is streamed into SHA-256 as it arrives, so memory stays
// bounded whatever the size. Reply: {"size":N,"sha256":"hex"}; above the limit a 413.

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "target_server/exchange.h"

namespace h2soak::server {

/// Counts and hashes a body; stops hashing (but keeps counting) once past the limit.
class UploadHasher {
 public:
  explicit UploadHasher(uint64_t limit);
  void update(const uint8_t* data, size_t len);
  uint64_t size() const { return size_; }
  bool over_limit() const { return size_ > limit_; }
  /// Lower-case hex SHA-256 of everything given to update(); call once, not when over_limit().
  std::string finish_hex();

 private:
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
  uint64_t limit_;
  uint64_t size_ = 0;
};

class UploadHandler final : public Handler {
 public:
  UploadHandler(const Request& req, uint64_t limit, WorkerStats& stats);
  /// With a Content-Length above the limit: 413 at once (h1 "Expect: 100-continue" only).
  std::optional<Response> on_headers() override;
  void on_body(const uint8_t* data, size_t len) override;
  Response respond() override;

 private:
  std::optional<uint64_t> content_length_;
  uint64_t limit_;
  WorkerStats& stats_;
  UploadHasher hasher_;
};

}  // namespace h2soak::server
