#include "target_server/stats.h"

namespace h2soak::server {

std::string_view route_label(Route r) {
  switch (r) {
    case Route::kIndex: return "index";
    case Route::kPage: return "page";
    case Route::kStatic: return "static";
    case Route::kEvents: return "events";
    case Route::kUpload: return "upload";
    case Route::kLogin: return "login";
    case Route::kMetrics: return "metrics";
    case Route::kNotFound: return "not_found";
    case Route::kCount: break;
  }
  return "unknown";
}

size_t status_slot(int status) {
  for (size_t i = 0; i + 1 < kCountedStatuses.size(); ++i) {
    if (kCountedStatuses[i] == status) return i;
  }
  return kCountedStatuses.size() - 1;
}

}  // namespace h2soak::server
