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

MaybeError CheckQuantity(std::string_view name, double v) {
  if (!std::isfinite(v) || !(v >= kMinQuantity) || v > kMaxQuantity) {
    return fmt::format("{} = {}: must be >= {:g} and <= {:g}", name, v, kMinQuantity, kMaxQuantity);
  }
  return std::nullopt;
}

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

MaybeError Validate(const Run& run) {
  MaybeError err;
  if (auto e = Validate(run.law)) return "law." + *e;
  if ((err = CheckQuantity("model.params", run.params))) return err;
  if ((err = CheckQuantity("model.active_params", run.active_params))) return err;
  if ((err = CheckQuantity("training.tokens", run.tokens))) return err;
  if (run.sources.empty()) return std::string("data: no source of unique tokens");
  double wsum = 0;
  for (const DataSource& s : run.sources) {
    // Formatted only on failure: Validate runs once per sweep point.
    if (CheckQuantity("unique_tokens", s.unique_tokens)) {
      return CheckQuantity(fmt::format("data source '{}' unique_tokens", s.name), s.unique_tokens);
    }
    if (!std::isfinite(s.weight) || !(s.weight > 0) || s.weight > 1) {
      return fmt::format("data source '{}' weight = {}: must be in (0, 1]", s.name, s.weight);
    }
    if (!std::isfinite(s.quality) || !(s.quality > 0) || s.quality > 1e6) {
      return fmt::format("data source '{}' quality = {}: must be > 0 and <= 1e6", s.name,
                         s.quality);
    }
    wsum += s.weight;
  }
  if (std::fabs(wsum - 1.0) > 1e-9) {
    return fmt::format("data source weights sum to {:.17g}: must sum to 1 (within 1e-9)", wsum);
  }
  if (!std::isfinite(Compute(run)))
    return std::string("training: 6 * active_params * tokens overflows");

  const Dropout& d = run.dropout;
  if (!std::isfinite(d.rate) || d.rate < 0 || d.rate >= 1) {
    return fmt::format("training.dropout.rate = {}: must be in [0, 1)", d.rate);
  }
  if (!std::isfinite(d.start_epoch) || d.start_epoch < 0 || d.start_epoch > 1e12) {
    return fmt::format("training.dropout.start_epoch = {}: must be in [0, 1e12]", d.start_epoch);
  }
  if (!std::isfinite(d.end_epoch) || d.end_epoch < 0 || d.end_epoch > 1e12) {
    return fmt::format("training.dropout.end_epoch = {}: must be in [0, 1e12]", d.end_epoch);
  }
  if (d.schedule == DropoutSchedule::kLinear && !(d.end_epoch > d.start_epoch)) {
    return fmt::format(
        "training.dropout.end_epoch = {}: a linear ramp needs end_epoch > start_epoch ({})",
        d.end_epoch, d.start_epoch);
  }
  if (d.schedule == DropoutSchedule::kEarly && !(d.end_epoch > 0)) {
    return fmt::format("training.dropout.end_epoch = {}: early dropout needs end_epoch > 0",
                       d.end_epoch);
  }

  const Modifiers& m = run.modifiers;
  if (!std::isfinite(m.c_drop) || m.c_drop < 0 || m.c_drop > 1) {
    return fmt::format("modifiers.c_drop = {}: must be in [0, 1]", m.c_drop);
  }
  if (!std::isfinite(m.g0) || m.g0 < 0 || m.g0 > 1e6) {
    return fmt::format("modifiers.g0 = {}: must be in [0, 1e6]", m.g0);
  }
  if (!std::isfinite(m.eta) || std::fabs(m.eta) > 10) {
    return fmt::format("modifiers.eta = {}: must be in [-10, 10]", m.eta);
  }
  if (!std::isfinite(m.size_gamma) || std::fabs(m.size_gamma) > 10) {
    return fmt::format("modifiers.size_gamma = {}: must be in [-10, 10]", m.size_gamma);
  }
  if (m.objective_multiplier && (!std::isfinite(*m.objective_multiplier) ||
                                 !(*m.objective_multiplier > 0) || *m.objective_multiplier > 1e6)) {
    return fmt::format("modifiers.objective_multiplier = {}: must be > 0 and <= 1e6",
                       *m.objective_multiplier);
  }
  // Bounded so that the displaced share stays below 1 - e^-100 (N'' > 0, losses finite).
  if (!std::isfinite(m.displacement) || m.displacement < 0 || m.displacement > 100) {
    return fmt::format("modifiers.displacement = {}: must be in [0, 100]", m.displacement);
  }
  if (!std::isfinite(m.memorization_capacity) || !(m.memorization_capacity > 0) ||
      m.memorization_capacity > 1e6) {
    return fmt::format("modifiers.memorization_capacity = {}: must be > 0 and <= 1e6",
                       m.memorization_capacity);
  }
  return std::nullopt;
}

}  // namespace repsim
