#include "harness/net/request.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace h2soak::net {
namespace {
nghttp2_nv make_nv(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
}
const std::string kMethod = ":method", kScheme = ":scheme", kAuthority = ":authority", kPath = ":path",
                  kContentLength = "content-length";
}  // namespace

Body make_generated_body(std::size_t size) {
  auto s = std::make_shared<std::string>(size, '\0');
  static constexpr char kPattern[] = "h2soak-body-0123456789abcdefghijklmnopqrstuvwxyz\n";
  for (std::size_t i = 0; i < size; ++i) (*s)[i] = kPattern[i % (sizeof kPattern - 1)];
  return Body{std::move(s)};
}

Result<Body> load_body_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error("cannot open request body file", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return Body{std::make_shared<const std::string>(ss.str())};
}

void Request::finalize() {
  for (auto& [name, value] : headers)
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string* authority = &url.authority;
  for (auto& [name, value] : headers)
    if (name == ":authority" || name == "host") authority = &value;
  nva_.clear();
  nva_.push_back(make_nv(kMethod, method));
  nva_.push_back(make_nv(kScheme, url.scheme));
  nva_.push_back(make_nv(kAuthority, *authority));
  nva_.push_back(make_nv(kPath, url.path));
  bool has_length = false;
  for (auto& [name, value] : headers) {
    if (name == ":authority" || name == "host") continue;
    if (name == "content-length") has_length = true;
    nva_.push_back(make_nv(name, value));
  }
  if (body.size() > 0 && !has_length) {
    content_length_ = std::to_string(body.size());
    nva_.push_back(make_nv(kContentLength, content_length_));
  }
  header_bytes_ = 0;
  for (auto& nv : nva_) header_bytes_ += nv.namelen + nv.valuelen;
}

}  // namespace h2soak::net
