#include "harness/workloads/bench_part.h"

#include <algorithm>

#include "harness/load/worker.h"
#include "harness/util/text.h"

namespace h2soak::workloads {
namespace {
constexpr Nanos kAbortAfterEnd = std::chrono::seconds(1);
}  // namespace

Result<BenchPlan> make_bench_plan(const WorkloadContext& context) {
  const auto& p = std::get<scenario::BenchWorkload>(context.planned.params);
  BenchPlan plan;
  for (const auto& path : p.paths) plan.urls.push_back(context.url(path));
  if (plan.urls.empty()) plan.urls.push_back(context.url("/"));
  plan.address = context.address;
  plan.method = p.method;
  for (const auto& h : p.headers) {
    const auto colon = h.find(':', h.empty() || h[0] != ':' ? 0 : 1);
    if (colon == std::string::npos) return Error("bench header without ':'", h);
    const std::string_view line = h;
    plan.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  if (p.body_size > 0) plan.body = net::make_generated_body(p.body_size);
  plan.clients = std::max<std::uint32_t>(1, p.clients);
  plan.max_streams = std::max<std::uint32_t>(1, p.max_streams);
  plan.requests = p.requests.value_or(0);
  plan.rate = p.rate.value_or(0);
  plan.first_due = context.planned.arrival_offset;
  plan.connect_timeout = context.connect_timeout;
  return plan;
}

BenchPart::BenchPart(load::Worker& worker, const WorkloadContext& context, const BenchPlan& plan)
    : worker_(worker), context_(context), inner_(std::make_unique<BenchWorkload>(worker, plan)) {
  begin_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { begin(); });
  end_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { end(); });
  abort_timer_ = std::make_unique<load::Timer>(worker.loop(), [this] { abort(); });
}

BenchPart::~BenchPart() {
  begin_timer_.reset();
  end_timer_.reset();
  abort_timer_.reset();
  inner_.reset();
}

void BenchPart::start() {
  const auto& planned = context_.planned;
  if (planned.active.empty()) return;
  const auto at = [&](Nanos offset) {
    const auto d = worker_.origin() + offset - now();
    return d.count() > 0 ? std::chrono::duration_cast<Nanos>(d) : Nanos{0};
  };
  const auto& window = planned.active.front();
  Nanos end_offset = std::min(window.end, planned.close_at);
  const auto& p = std::get<scenario::BenchWorkload>(planned.params);
  if (p.duration) end_offset = std::min(end_offset, window.start + *p.duration);
  begin_timer_->start(at(window.start));
  end_timer_->start(at(end_offset));
}

void BenchPart::begin() {
  if (started_ || ended_) return;
  started_ = true;
  inner_->start();
}

void BenchPart::end() {
  if (ended_) return;
  ended_ = true;
  begin_timer_->stop();
  if (!started_) return;
  inner_->stop();
  abort_timer_->start(kAbortAfterEnd);
}

void BenchPart::stop() { end(); }

void BenchPart::abort() {
  if (aborted_) return;
  aborted_ = true;
  ended_ = true;
  begin_timer_->stop();
  end_timer_->stop();
  abort_timer_->stop();
  if (started_) inner_->abort();
}

}  // namespace h2soak::workloads
