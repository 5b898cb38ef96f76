#include "harness/run/batch.h"

#include <variant>

#include <fmt/format.h>

#include "harness/run/summary.h"

namespace h2soak::run {

Result<LoadedPlans> load_plans(const std::string& path, const scenario::TargetOverrides& overrides) {
  auto loaded = scenario::load(path);
  if (!loaded) return loaded.error();
  LoadedPlans out;
  std::vector<scenario::Scenario> scenarios;
  if (auto* s = std::get_if<scenario::Scenario>(&*loaded)) {
    scenarios.push_back(std::move(*s));
  } else {
    auto& suite = std::get<scenario::Suite>(*loaded);
    out.suite_name = suite.name;
    scenarios = std::move(suite.scenarios);
  }
  for (auto& s : scenarios) {
    if (!overrides.empty()) {
      if (auto st = scenario::apply_overrides(s, overrides); !st) return st.error();
    }
    auto plan = scenario::make_plan(s);
    if (!plan) return plan.error();
    out.plans.push_back(std::move(*plan));
  }
  return out;
}

BatchResult run_batch(const std::vector<scenario::Plan>& plans, const BatchOptions& options) {
  BatchResult batch;
  const int k = std::max(1, options.runs);
  for (int rep = 0; rep < k; ++rep) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      if (options.run.stop_flag != nullptr && options.run.stop_flag->load()) {
        batch.interrupted = true;
        batch.incomplete = true;
        return batch;
      }
      const auto& plan = plans[i];
      RunOptions ro = options.run;
      const int number = options.run_offset + rep + 1;
      const bool numbered = k > 1 || options.run_offset > 0 || !options.stem_prefix.empty();
      ro.stem = options.stem_prefix + plan.scenario_name + (numbered ? fmt::format(".run{}", number) : "");
      ro.progress_label = options.stem_prefix + plan.scenario_name;
      if (numbered) ro.progress_label += fmt::format(" run {}", number);
      if (plans.size() > 1) ro.progress_label += fmt::format(" ({}/{})", i + 1, plans.size());
      ro.extra_metadata["run"] = std::to_string(number);

      batch.outcomes.push_back(run_scenario(plan, ro));
      RunOutcome& out = batch.outcomes.back();
      if (options.summary_out != nullptr) {
        if (out.end == RunEnd::kNotStarted) {
          std::fprintf(options.summary_out, "\n%s: did not run: %s\n", ro.stem.c_str(), out.error.c_str());
        } else {
          std::fputs(render_summary(out.result, out.result_path).c_str(), options.summary_out);
        }
        std::fflush(options.summary_out);
      }
      if (out.end == RunEnd::kCompleted) {
        batch.finished.push_back(FinishedRun{&plan, &out.result, out.result_path});
      } else {
        batch.incomplete = true;
        batch.errors.push_back(ro.stem + ": " + out.error);
        if (out.result.status.state == result::RunState::kAborted && options.run.stop_flag != nullptr &&
            options.run.stop_flag->load()) {
          batch.interrupted = true;
          return batch;
        }
      }
    }
  }
  return batch;
}

}  // namespace h2soak::run
