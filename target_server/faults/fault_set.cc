#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "target_server/faults/fault.h"

namespace h2soak::server {

ConnectionKeep::~ConnectionKeep() {
  if (owner_) owner_->count(0, -static_cast<int64_t>(bytes_));
}

void ConnectionKeep::keep(Fault& owner, std::string state) {
  owner_ = &owner;
  bytes_ += state.size();
  owner.count(1, static_cast<int64_t>(state.size()));
  items_.push_back(std::move(state));
}

Fault::Fault(const FaultSpec& spec, double scale)
    : spec_(spec), scale_(scale), scale_milli_(static_cast<uint64_t>(std::llround(scale * 1000.0))) {}

unsigned Fault::occurrences() {
  const uint64_t before = credit_milli_.fetch_add(scale_milli_, std::memory_order_relaxed);
  return static_cast<unsigned>((before + scale_milli_) / 1000 - before / 1000);
}

bool FaultSet::add(std::string_view arg, std::string* error) {
  std::string_view name = arg;
  double scale = 1.0;
  if (size_t colon = arg.find(':'); colon != std::string_view::npos) {
    name = arg.substr(0, colon);
    std::string_view text = arg.substr(colon + 1);
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), scale);
    if (ec != std::errc() || p != text.data() + text.size() || !(scale > 0) || scale > 1000) {
      *error = fmt::format("--fault {}: the scale '{}' is not a number in (0, 1000]", arg, text);
      return false;
    }
  }
  for (const auto& f : faults_) {
    if (f->spec().name == name) {
      *error = fmt::format("--fault {}: given twice", name);
      return false;
    }
  }
  for (const FaultSpec& spec : fault_catalogue()) {
    if (spec.name == name) {
      faults_.push_back(spec.make(spec, scale));
      return true;
    }
  }
  std::string known;
  for (const FaultSpec& spec : fault_catalogue()) known += fmt::format("{}{}", known.empty() ? "" : ", ", spec.name);
  *error = fmt::format("unknown --fault '{}'; known: {} (see --fault list)", name, known);
  return false;
}

void FaultSet::configure(Config& config) const {
  for (const auto& f : faults_) f->configure(config);
}

std::unique_ptr<Handler> FaultSet::wrap(const Request& req, std::unique_ptr<Handler> handler,
                                        const ServerState& state, const WorkerEnv& env) const {
  for (const auto& f : faults_) handler = f->wrap(req, std::move(handler), state, env);
  return handler;
}

void FaultSet::on_stream_closed(const Request& req, ConnectionKeep& keep) const {
  for (const auto& f : faults_) f->on_stream_closed(req, keep);
}

void FaultSet::render_metrics(std::string& out) const {
  auto out_it = std::back_inserter(out);
  fmt::format_to(out_it, "# HELP h2soak_target_fault Deliberate leaks switched on (--fault).\n"
                         "# TYPE h2soak_target_fault gauge\n");
  for (const auto& f : faults_) fmt::format_to(out_it, "h2soak_target_fault{{name=\"{}\"}} 1\n", f->spec().name);
  fmt::format_to(out_it, "# HELP h2soak_target_fault_scale Rate multiplier of each fault.\n"
                         "# TYPE h2soak_target_fault_scale gauge\n");
  for (const auto& f : faults_) fmt::format_to(out_it, "h2soak_target_fault_scale{{name=\"{}\"}} {}\n", f->spec().name, f->scale());
  fmt::format_to(out_it, "# HELP h2soak_target_fault_events_total Times each fault committed its leak.\n"
                         "# TYPE h2soak_target_fault_events_total counter\n");
  for (const auto& f : faults_) {
    fmt::format_to(out_it, "h2soak_target_fault_events_total{{name=\"{}\"}} {}\n", f->spec().name, f->events());
  }
  fmt::format_to(out_it, "# HELP h2soak_target_fault_leaked What each fault holds now, in its unit.\n"
                         "# TYPE h2soak_target_fault_leaked gauge\n");
  for (const auto& f : faults_) {
    fmt::format_to(out_it, "h2soak_target_fault_leaked{{name=\"{}\",unit=\"{}\"}} {}\n", f->spec().name, f->spec().unit,
                   f->leaked());
  }
}

std::string FaultSet::describe_catalogue() {
  std::string out;
  for (const FaultSpec& spec : fault_catalogue()) {
    fmt::format_to(std::back_inserter(out), "{:<17} {}\n{:<17} default rate: {}\n", spec.name, spec.what, "",
                   spec.default_rate);
  }
  out += "\nUse --fault NAME[:SCALE] (repeatable); SCALE multiplies the default rate (e.g. 0.5, 2).\n";
  return out;
}

}  // namespace h2soak::server
