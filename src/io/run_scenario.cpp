#include "io/run_scenario.h"

#include <fmt/format.h>

#include <utility>

#include "io/interrupt.h"
#include "io/results.h"

namespace repsim::io {

WriteOutcome WriteScenario(ScenarioResults& r, const std::filesystem::path& out_dir,
                           const SweepOptions& sweep, const PlotOptions& plots) {
  WriteOutcome out;
  auto fail = [&out](std::string message, int code) {
    out.error = std::move(message);
    out.exit_code = code;
    return out;
  };
  const Scenario& sc = r.scenario;
  Expected<Staging> staging = Staging::Create(out_dir, sc.name);
  if (!staging) return fail("error: " + staging.error(), 2);
  out.dir = staging->final_dir();
  if (!sc.sweep.empty()) {
    if (auto e = RunSweep(sc, sweep, *staging, &out.sweep)) {
      return fail("error: " + *e, Interrupted() ? 128 + InterruptSignal() : 2);
    }
    r.sweep_markdown = out.sweep.markdown;
  }
  if (auto e = WriteResults(r, *staging)) return fail("error: " + *e, 1);
  if (sc.output.plots) {
    if (auto e = WritePlots(r, plots, *staging)) out.warnings.push_back("plots: " + *e);
  }
  if (Interrupted()) {
    return fail("interrupted; previous results left as they were", 128 + InterruptSignal());
  }
  if (auto e = staging->Commit()) return fail("error: " + *e, 1);
  return out;
}

}  // namespace repsim::io
