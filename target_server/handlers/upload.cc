#include "target_server/handlers/upload.h"

#include <fmt/format.h>

#include <stdexcept>

namespace h2soak::server {

UploadHasher::UploadHasher(uint64_t limit) : ctx_(EVP_MD_CTX_new()), limit_(limit) {
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex(sha256) failed");
  }
}

void UploadHasher::update(const uint8_t* data, size_t len) {
  size_ += len;
  if (!over_limit() && len > 0) EVP_DigestUpdate(ctx_.get(), data, len);
}

std::string UploadHasher::finish_hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_.get(), md, &n);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

namespace {
Response too_large(uint64_t limit, uint64_t size) {
  return Response::text(413, fmt::format("{{\"error\":\"payload too large\",\"limit\":{},\"size\":{}}}\n", limit, size),
                        "application/json");
}
}  // namespace

UploadHandler::UploadHandler(const Request& req, uint64_t limit, WorkerStats& stats)
    : Handler(Route::kUpload), content_length_(req.content_length()), limit_(limit), stats_(stats), hasher_(limit) {}

std::optional<Response> UploadHandler::on_headers() {
  if (content_length_ && *content_length_ > limit_) {
    Response r = too_large(limit_, *content_length_);
    r.close_connection = true;  // the body will not be read
    return r;
  }
  return std::nullopt;
}

void UploadHandler::on_body(const uint8_t* data, size_t len) {
  stats_.upload_bytes.add(len);
  hasher_.update(data, len);
}

Response UploadHandler::respond() {
  if (hasher_.over_limit()) return too_large(limit_, hasher_.size());
  return Response::text(200, fmt::format("{{\"size\":{},\"sha256\":\"{}\"}}\n", hasher_.size(), hasher_.finish_hex()),
                        "application/json");
}

}  // namespace h2soak::server
