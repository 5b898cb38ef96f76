#include "harness/sampler/scraper.h"

#include <curl/curl.h>

#include <mutex>

namespace h2soak::sampler {
namespace {

std::size_t on_body(char* data, std::size_t size, std::size_t nmemb, void* user) {
  auto* body = static_cast<std::string*>(user);
  constexpr std::size_t kMaxBody = 64u << 20;  // a runaway endpoint must not eat the harness's memory
  if (body->size() + size * nmemb > kMaxBody) return 0;
  body->append(data, size * nmemb);
  return size * nmemb;
}

}  // namespace

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<std::unique_ptr<Scraper>> Scraper::create(std::string url, const std::vector<std::string>& selectors,
                                                 Nanos timeout, bool insecure) {
  if (url.empty()) return Error("metrics URL is empty");
  std::unique_ptr<Scraper> s(new Scraper());
  s->url_ = std::move(url);
  for (const auto& text : selectors) {
    auto sel = parse_selector(text);
    if (!sel) return sel.error();
    s->selectors_.push_back(std::move(*sel));
  }
  ensure_curl_initialized();
  CURL* c = curl_easy_init();
  if (!c) return Error("curl_easy_init failed");
  s->curl_ = c;
  long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
  if (ms <= 0) ms = 1;
  curl_easy_setopt(c, CURLOPT_URL, s->url_.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s->body_);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "h2soak-sampler");
  if (insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  return s;
}

Scraper::~Scraper() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<std::map<std::string, double>> Scraper::scrape() {
  auto* c = static_cast<CURL*>(curl_);
  body_.clear();
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return Error(curl_easy_strerror(rc), url_);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  if (code >= 400) return Error("HTTP status " + std::to_string(code), url_);
  auto samples = parse_prometheus(body_);
  if (!samples) return Error(samples.error().message(), url_);
  std::map<std::string, double> out;
  for (const auto& sel : selectors_) {
    if (auto v = select(*samples, sel)) out[sel.text] = *v;
  }
  return out;
}

}  // namespace h2soak::sampler
