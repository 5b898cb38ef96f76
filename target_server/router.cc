#include "target_server/router.h"

#include <charconv>

#include "target_server/handlers/login.h"
#include "target_server/handlers/metrics.h"
#include "target_server/handlers/pages.h"
#include "target_server/handlers/sse.h"
#include "target_server/handlers/static_files.h"
#include "target_server/handlers/upload.h"
#include "target_server/faults/fault.h"

namespace h2soak::server {
namespace {

bool is_get(std::string_view m) { return m == "GET" || m == "HEAD"; }

std::unique_ptr<Handler> fixed(Route route, Response r) {
  return std::make_unique<FixedHandler>(route, std::move(r));
}

std::unique_ptr<Handler> not_allowed(Route route, const char* allow) {
  Response r = Response::text(405, "method not allowed\n");
  r.headers.push_back({"allow", allow});
  return fixed(route, std::move(r));
}

}  // namespace

RouteMatch match_route(std::string_view path, int pages) {
  RouteMatch m;
  if (path == "/") {
    m.route = Route::kIndex;
  } else if (path.starts_with("/page/")) {
    std::string_view num = path.substr(6);
    int n = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ec == std::errc() && p == num.data() + num.size() && num.front() != '0' && n >= 1 && n <= pages) {
      m.route = Route::kPage;
      m.page = n;
    }
  } else if (path.starts_with("/static/")) {
    m.route = Route::kStatic;
    m.rest = path.substr(8);
  } else if (path == "/events") {
    m.route = Route::kEvents;
  } else if (path == "/upload") {
    m.route = Route::kUpload;
  } else if (path == "/login") {
    m.route = Route::kLogin;
  } else if (path == "/metrics") {
    m.route = Route::kMetrics;
  }
  return m;
}

std::unique_ptr<Handler> Router::make(const Request& req, const WorkerEnv& env) const {
  std::unique_ptr<Handler> h = make_clean(req, env);
  if (state_.faults) h = state_.faults->wrap(req, std::move(h), state_, env);
  return h;
}

std::unique_ptr<Handler> Router::make_clean(const Request& req, const WorkerEnv& env) const {
  RouteMatch m = match_route(req.path(), state_.config.pages);
  const std::string_view method = req.method;
  switch (m.route) {
    case Route::kIndex:
    case Route::kPage: {
      if (!is_get(method)) return not_allowed(m.route, "GET, HEAD");
      // Rendered when the request is answered, not when its headers arrive (DeferredHandler).
      auto render = [&req, page = m.page, this, &env] { return page_response(req, page, state_, env); };
      return std::make_unique<DeferredHandler<decltype(render)>>(m.route, std::move(render));
    }
    case Route::kStatic:
      if (!is_get(method)) return not_allowed(m.route, "GET, HEAD");
      return fixed(m.route, static_response(req, m.rest, state_.assets));
    case Route::kEvents:
      if (!is_get(method)) return not_allowed(m.route, "GET");
      return fixed(m.route, sse_response(req, state_.config.sse_interval, env));
    case Route::kUpload:
      if (method != "POST" && method != "PUT") return not_allowed(m.route, "POST, PUT");
      return std::make_unique<UploadHandler>(req, state_.config.upload_limit, *env.stats);
    case Route::kLogin:
      if (!is_get(method) && method != "POST") return not_allowed(m.route, "GET, HEAD, POST");
      return fixed(m.route, login_response(req, state_.sessions));
    case Route::kMetrics:
      if (!is_get(method)) return not_allowed(m.route, "GET, HEAD");
      return fixed(m.route, metrics_response(state_));
    case Route::kNotFound:
    case Route::kCount:
      break;
  }
  return fixed(Route::kNotFound, Response::text(404, "not found\n"));
}

}  // namespace h2soak::server
