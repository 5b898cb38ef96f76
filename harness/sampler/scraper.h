#pragma once
// Fetches a Prometheus text endpoint with libcurl and extracts the values of
// the configured selectors (prometheus.h). One Scraper per sampler; used from
// one thread at a time (the sampler's scrape thread). Each fetch is bounded by
// `timeout`, so a slow or hung endpoint costs at most that long.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/sampler/prometheus.h"
#include "harness/util/clock.h"
#include "harness/util/result.h"

namespace h2soak::sampler {

class Scraper {
 public:
  // Fails if a selector does not parse or the URL is empty.
  static Result<std::unique_ptr<Scraper>> create(std::string url, const std::vector<std::string>& selectors,
                                                 Nanos timeout, bool insecure);
  ~Scraper();
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // One GET + parse. The map holds every selector found (key: selector text);
  // selectors absent from the scrape are left out. Fails on transport error,
  // HTTP status >= 400, or a body that does not parse.
  Result<std::map<std::string, double>> scrape();

 private:
  Scraper() = default;
  std::string url_;
  std::vector<PromSelector> selectors_;
  void* curl_ = nullptr;  // CURL*, kept to reuse the connection between scrapes
  std::string body_;
};

// curl_global_init, once per process; safe to call from any thread, any number of times.
void ensure_curl_initialized();

}  // namespace h2soak::sampler
