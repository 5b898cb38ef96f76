#pragma once
// "/static/...": path resolution (percent-decoding, traversal refusal) and the response with
// ETag / If-None-Match. Assets are in memory, so serving one never opens a file.

#include <string_view>

#include "target_server/assets.h"
#include "target_server/exchange.h"

namespace h2soak::server {

enum class StaticVerdict { kOk, kBadRequest, kNotFound };

struct StaticLookup {
  StaticVerdict verdict = StaticVerdict::kNotFound;
  const Asset* asset = nullptr;  ///< set when kOk
};

/// `encoded` is the request path after "/static/", still percent-encoded, without query.
/// Refused with kBadRequest: bad %-escapes, encoded '/' or '\', NUL, backslashes, absolute
/// paths, empty, "." or ".." segments (in any encoding).
StaticLookup resolve_static(std::string_view encoded, const AssetStore& assets);

/// 200 with the asset, 304 when If-None-Match matches its ETag, 400 or 404 otherwise.
Response static_response(const Request& req, std::string_view encoded, const AssetStore& assets);

}  // namespace h2soak::server
