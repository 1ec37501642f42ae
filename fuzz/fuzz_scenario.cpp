// libFuzzer target: scenario loader + validation + one engine evaluation.
// Any crash, sanitizer report, hang, or a non-finite number reported for a
// scenario that validated is a bug (abort() makes libFuzzer keep the input).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "io/scenario_loader.h"
#include "repsim/engine.h"
#include "repsim/scenario_keys.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

void CheckSummary(const repsim::Summary& s) {
  for (double v : {s.effective_tokens, s.effective_fraction, s.effective_params, s.loss_repeated,
                   s.loss_unique, s.delta, s.delta_pct, s.marginal_value_last}) {
    Require(std::isfinite(v));
  }
  Require(s.effective_tokens <= s.tokens * (1 + 1e-9));
  if (s.equivalent_unique_tokens) Require(std::isfinite(*s.equivalent_unique_tokens));
  if (s.equivalent_params) Require(std::isfinite(*s.equivalent_params));
}

void Evaluate(const repsim::RunSpec& spec) {
  repsim::Expected<repsim::Run> run = repsim::Resolve(spec);
  if (!run) return;
  CheckSummary(repsim::Evaluate(*run));
  for (const repsim::TrajectoryPoint& p : repsim::EvaluateTrajectory(*run, 8)) {
    Require(std::isfinite(p.loss_repeated) && std::isfinite(p.effective_tokens));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  repsim::io::LoadResult r = repsim::io::LoadScenarioText(text, "fuzz.toml");
  (void)r.FormatErrors();
  if (!r.scenario) {
    Require(!r.errors.empty());
    return 0;
  }
  Require(r.errors.empty());
  // The base must resolve: the loader promised it is valid.
  Require(repsim::Resolve(r.scenario->base).ok());
  Evaluate(r.scenario->base);
  for (const repsim::CompareVariant& v : r.scenario->compare) Evaluate(v.spec);
  // A few points of each sweep axis (the first and last value).
  for (const repsim::SweepAxis& axis : r.scenario->sweep) {
    for (double value : {axis.values.front(), axis.values.back()}) {
      repsim::RunSpec spec = r.scenario->base;
      if (!repsim::SetNumber(spec, axis.key, value)) Evaluate(spec);
    }
  }
  return 0;
}
