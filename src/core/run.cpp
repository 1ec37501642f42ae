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

std::vector<std::string> RunWarnings(const Run& run) {
  std::vector<std::string> out;
  if (run.unused_compute > 0) {
    const double used = Compute(run);
    out.push_back(fmt::format(
        "training.compute = {:.3g} with model.params = \"data_constrained_optimal\": beyond "
        "{:.2g} FLOPs more compute does not lower the loss on {:.3g} unique tokens (or no "
        "plausible plan exists beyond); the run is the best plan within the budget and leaves "
        "{:.3g} FLOPs unused",
        used + run.unused_compute, used, UniqueTokens(run), run.unused_compute));
  }
  if (run.weight_decay != kDefaultWeightDecay) {
    if (!run.law.overfit) {
      out.push_back(fmt::format(
          "training.weight_decay = {:g} has no effect: law {} has no overfitting term, and "
          "weight decay acts on overfitting only (weight_decay.h)",
          run.weight_decay, ToString(run.law.preset)));
    } else if (run.weight_decay > kMaxStudiedWeightDecay) {
      out.push_back(fmt::format(
          "training.weight_decay = {:g} is beyond any source (measured at {:g}, tuned up to "
          "~{:g} by Kim et al. 2025): its factor on overfitting ({:.3g}) is an extrapolation, "
          "and weight decay's cost to learning is not modelled",
          run.weight_decay, kStrongWeightDecay, kMaxStudiedWeightDecay, WeightDecayFactor(run)));
    }
  }
  return out;
}

double WeightDecayFactor(const Run& run) {
  return WeightDecayOverfitFactor(run.weight_decay, run.modifiers.weight_decay_shape,
                                  run.modifiers.weight_decay_factor);
}

}  // namespace repsim
