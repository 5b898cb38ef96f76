#include "target_server/exchange.h"

#include <charconv>
#include <cstring>

namespace h2soak::server {

std::string_view protocol_label(Protocol p) {
  switch (p) {
    case Protocol::kH1: return "http/1.1";
    case Protocol::kH1Tls: return "http/1.1+tls";
    case Protocol::kH2c: return "h2c";
    case Protocol::kH2Tls: return "h2";
  }
  return "?";
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return {};
}

std::string_view Request::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::optional<uint64_t> Request::content_length() const {
  std::string_view v = header("content-length");
  if (v.empty()) return std::nullopt;
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

Pull StringBody::proceed(uint8_t* buf, size_t max) {
  size_t n = std::min(max, body_.size() - pos_);
  std::memcpy(buf, body_.data() + pos_, n);
  pos_ += n;
  return {n, pos_ == body_.size() ? PullState::kEof : PullState::kData};
}

Pull ViewBody::proceed(uint8_t* buf, size_t max) {
  size_t n = std::min(max, bytes_.size() - pos_);
  std::memcpy(buf, bytes_.data() + pos_, n);
  pos_ += n;
  return {n, pos_ == bytes_.size() ? PullState::kEof : PullState::kData};
}

Response Response::text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.headers.push_back({"content-type", content_type});
  r.body = std::make_unique<StringBody>(std::move(body));
  return r;
}

}  // namespace h2soak::server
