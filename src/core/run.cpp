#include "repsim/run.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "repsim/calibration.h"

namespace repsim {
namespace {

constexpr std::array<std::string_view, 4> kObjectiveNames = {"causal", "span_corruption", "ul2",
                                                             "diffusion"};
constexpr std::array<std::string_view, 5> kScheduleNames = {"none", "constant", "step", "linear",
                                                            "early"};

}  // namespace

std::string_view ToString(Objective objective) {
  return kObjectiveNames[static_cast<size_t>(objective)];
}
std::optional<Objective> ObjectiveFromString(std::string_view name) {
  for (size_t i = 0; i < kObjectiveNames.size(); ++i) {
    if (kObjectiveNames[i] == name) return static_cast<Objective>(i);
  }
  return std::nullopt;
}
std::span<const std::string_view> ObjectiveNames() { return kObjectiveNames; }

std::string_view ToString(DropoutSchedule schedule) {
  return kScheduleNames[static_cast<size_t>(schedule)];
}
std::optional<DropoutSchedule> DropoutScheduleFromString(std::string_view name) {
  for (size_t i = 0; i < kScheduleNames.size(); ++i) {
    if (kScheduleNames[i] == name) return static_cast<DropoutSchedule>(i);
  }
  return std::nullopt;
}
std::span<const std::string_view> DropoutScheduleNames() { return kScheduleNames; }

double DropoutRateAt(const Dropout& d, double epoch) {
  switch (d.schedule) {
    case DropoutSchedule::kNone:
      return 0.0;
    case DropoutSchedule::kConstant:
      return d.rate;
    case DropoutSchedule::kStep:
      return epoch >= d.start_epoch ? d.rate : 0.0;
    case DropoutSchedule::kEarly:
      return epoch < d.end_epoch ? d.rate : 0.0;
    case DropoutSchedule::kLinear:
      if (epoch <= d.start_epoch) return 0.0;
      if (epoch >= d.end_epoch) return d.rate;
      return d.rate * (epoch - d.start_epoch) / (d.end_epoch - d.start_epoch);
  }
  return 0.0;
}

Modifiers DefaultModifiers() {
  Modifiers m{kDefaultCDrop, kDefaultG0, kDefaultEta, kDefaultSizeGamma, std::nullopt};
  m.displacement = kDefaultDisplacement;
  m.memorization_capacity = kDefaultMemorizationCapacity;
  return m;
}

double DefaultObjectiveMultiplier(Objective objective) {
  switch (objective) {
    case Objective::kCausal:
      return 1.0;
    case Objective::kSpanCorruption:
      return kObjectiveMultiplierSpanCorruption;
    case Objective::kUl2:
      return kObjectiveMultiplierUl2;
    case Objective::kDiffusion:
      return kObjectiveMultiplierDiffusion;
  }
  return 1.0;
}

double UniqueTokens(const Run& run) {
  double u = 0;
  for (const DataSource& s : run.sources) u += s.unique_tokens;
  return u;
}
double TokenEpochs(const Run& run) { return run.tokens / UniqueTokens(run); }
double Epochs(const Run& run) {
  const double u = UniqueTokens(run);
  // Exact comparisons: the typed value stands for the very tokens it gave.
  if (const auto& t = run.typed_epochs; t && t->tokens == run.tokens && t->scale == u) {
    return t->value;
  }
  return run.tokens / u;
}
double Compute(const Run& run) {
  if (const auto& t = run.typed_compute;
      t && t->tokens == run.tokens && t->scale == run.active_params) {
    return t->value;
  }
  return 6.0 * run.active_params * run.tokens;
}

}  // namespace repsim
