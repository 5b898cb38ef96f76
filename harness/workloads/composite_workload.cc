#include "harness/workloads/composite_workload.h"

#include "harness/load/worker.h"

namespace h2soak::workloads {

CompositeWorkload::CompositeWorkload(load::Worker& worker, std::vector<std::unique_ptr<load::Workload>> parts)
    : worker_(worker), parts_(std::move(parts)) {
  worker_.set_finish_filter([this] { return finishing_; });
}

CompositeWorkload::~CompositeWorkload() {
  worker_.set_finish_filter({});
  parts_.clear();  // parts (and their connections) before anything else goes
}

void CompositeWorkload::start() {
  for (auto& p : parts_) p->start();
}

void CompositeWorkload::begin_steady() {
  for (auto& p : parts_) p->begin_steady();
}

void CompositeWorkload::stop() {
  for (auto& p : parts_) p->stop();
}

void CompositeWorkload::abort() {
  for (auto& p : parts_) p->abort();
  finishing_ = true;
  worker_.finish();
}

void CompositeWorkload::progress(metrics::Counters& counters, std::uint64_t& in_flight) const {
  counters = metrics::Counters{};
  in_flight = 0;
  for (const auto& p : parts_) {
    metrics::Counters c;
    std::uint64_t f = 0;
    p->progress(c, f);
    counters.merge(c);
    in_flight += f;
  }
}

const metrics::WorkloadMetrics& CompositeWorkload::metrics(load::Phase phase) const {
  auto& m = merged_[static_cast<int>(phase)];
  m = metrics::WorkloadMetrics{};
  m.series.set_origin(worker_.origin());
  for (const auto& p : parts_) m.merge(p->metrics(phase));
  return m;
}

bool CompositeWorkload::never_connected() const {
  for (const auto& p : parts_)
    if (!p->never_connected()) return false;
  return true;
}

std::string CompositeWorkload::last_error() const {
  std::string e;
  for (const auto& p : parts_)
    if (auto s = p->last_error(); !s.empty()) e = s;
  return e;
}

}  // namespace h2soak::workloads
