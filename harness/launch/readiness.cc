#include "harness/launch/readiness.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <thread>

namespace h2soak::launch {
namespace {

std::size_t discard(char*, std::size_t size, std::size_t nmemb, void*) { return size * nmemb; }

void ensure_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long to_ms(Nanos d) {
  return std::max<long>(1, static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

}  // namespace

Result<long> probe_once(const ProbeOptions& o, Nanos attempt_timeout) {
  ensure_curl();
  CURL* c = curl_easy_init();
  if (!c) return Error("curl_easy_init failed");
  curl_easy_setopt(c, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, to_ms(attempt_timeout));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, to_ms(attempt_timeout));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "h2soak-probe");
  curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
  long version = CURL_HTTP_VERSION_NONE;
  switch (o.http) {
    case ProbeHttp::kAuto: version = CURL_HTTP_VERSION_2TLS; break;
    case ProbeHttp::kH1: version = CURL_HTTP_VERSION_1_1; break;
    case ProbeHttp::kH2c:
    case ProbeHttp::kH2: version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE; break;
  }
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, version);
  if (o.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(c);
  if (rc != CURLE_OK) return Error(errbuf[0] ? errbuf : curl_easy_strerror(rc), o.url);
  return code;
}

Status wait_until_ready(const ProbeOptions& o, const std::function<bool()>& still_alive) {
  if (o.url.empty()) return Error("readiness probe needs a URL");
  const TimePoint deadline = now() + o.timeout;
  std::string last = "no attempt made";
  int attempts = 0;
  for (;;) {
    if (still_alive && !still_alive())
      return Error("target exited before it answered the readiness probe (last attempt: " + last + ")", o.url);
    TimePoint start = now();
    Nanos left = deadline - start;
    if (left <= Nanos::zero() && attempts > 0) break;
    ++attempts;
    auto r = probe_once(o, std::max<Nanos>(std::min<Nanos>(left, std::chrono::seconds(2)),
                                          std::chrono::milliseconds(50)));
    if (r && *r < 500) return {};
    last = r ? "HTTP status " + std::to_string(*r) : r.error().what();
    TimePoint next = start + o.retry_interval;
    if (next >= deadline) {
      if (now() < deadline) std::this_thread::sleep_until(deadline);
      continue;
    }
    std::this_thread::sleep_until(next);
  }
  return Error("target not ready after " + std::to_string(to_ms(o.timeout)) + " ms (" + std::to_string(attempts) +
                   " attempts; last: " + last + ")",
               o.url);
}

}  // namespace h2soak::launch
