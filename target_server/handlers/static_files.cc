#include "target_server/handlers/static_files.h"

#include <string>

namespace h2soak::server {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when the If-None-Match list contains `etag` (or "*"); weak prefixes are ignored.
bool etag_matches(std::string_view inm, std::string_view etag) {
  while (!inm.empty()) {
    size_t comma = inm.find(',');
    std::string_view tag = inm.substr(0, comma);
    inm = comma == std::string_view::npos ? std::string_view{} : inm.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

StaticLookup resolve_static(std::string_view encoded, const AssetStore& assets) {
  const StaticLookup bad{StaticVerdict::kBadRequest, nullptr};
  std::string name;
  name.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '%') {
      if (i + 2 >= encoded.size()) return bad;
      int hi = hex_value(encoded[i + 1]), lo = hex_value(encoded[i + 2]);
      if (hi < 0 || lo < 0) return bad;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '/' || d == '\\' || d == '\0') return bad;  // encoded separators hide traversal
      name.push_back(d);
      i += 2;
    } else {
      if (c == '\\' || c == '\0') return bad;
      name.push_back(c);
    }
  }
  if (name.empty() || name.front() == '/') return bad;
  std::string_view rest = name;
  while (true) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == "..") return bad;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  const Asset* a = assets.find(name);
  if (!a) return {StaticVerdict::kNotFound, nullptr};
  return {StaticVerdict::kOk, a};
}

Response static_response(const Request& req, std::string_view encoded, const AssetStore& assets) {
  StaticLookup found = resolve_static(encoded, assets);
  if (found.verdict == StaticVerdict::kBadRequest) return Response::text(400, "bad static path\n");
  if (found.verdict == StaticVerdict::kNotFound) return Response::text(404, "not found\n");
  const Asset& a = *found.asset;
  Response r;
  r.headers.push_back({"etag", a.etag});
  r.headers.push_back({"cache-control", "public, max-age=3600"});
  if (etag_matches(req.header("if-none-match"), a.etag)) {
    r.status = 304;
    return r;
  }
  r.headers.push_back({"content-type", a.content_type});
  r.body = std::make_unique<ViewBody>(a.bytes);
  return r;
}

}  // namespace h2soak::server
