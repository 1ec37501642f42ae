// Inputs no law could mean (include/repsim/plausibility.h).
#include "repsim/plausibility.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "repsim/law.h"
#include "repsim/run.h"

namespace repsim {
namespace {

// The range [lo, hi] some law of a form was fitted on, for one input.
struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
};

enum class Input { kParams, kTokens, kUniqueTokens };

// The union of the fitted domains (law.h FittedDomain) of every preset of
// `form`, for one input. A bound a source does not state is left out.
Range FittedRange(LawForm form, Input input) {
  Range r;
  for (LawPreset p : AllLawPresets()) {
    if (MakeLaw(p).form != form) continue;
    const LawDomain& d = FittedDomain(p);
    const double lo = input == Input::kParams   ? d.params_min
                      : input == Input::kTokens ? d.tokens_min
                                                : d.unique_tokens_min;
    const double hi = input == Input::kParams   ? d.params_max
                      : input == Input::kTokens ? d.tokens_max
                                                : d.unique_tokens_max;
    if (lo > 0) r.lo = std::min(r.lo, lo);
    if (std::isfinite(hi)) r.hi = std::max(r.hi, hi);
  }
  return r;
}

// The suffix a scenario quantity takes ("25B") that puts `v` nearest (in
// log) the middle of `r`.
std::string LikelySuffix(double v, const Range& r) {
  constexpr std::array<std::pair<std::string_view, double>, 4> kSuffixes = {
      {{"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"T", 1e12}}};
  const double mid = 0.5 * (std::log10(r.lo) + std::log10(r.hi));
  std::string_view best;
  double best_distance = std::numeric_limits<double>::infinity();
  for (const auto& [suffix, scale] : kSuffixes) {
    const double distance = std::fabs(std::log10(v * scale) - mid);
    if (distance < best_distance) {
      best_distance = distance;
      best = suffix;
    }
  }
  return fmt::format("{:g}{}", v, best);
}

constexpr std::string_view kHowToAllow =
    "(--allow-implausible or allow_implausible=True: run it anyway)";

// An error when `v` (the value of `key`, a count of `what`) is more than
// kImplausibleFactor below the smallest any law of `form` was fitted on.
std::optional<Error> TooSmall(std::string_view key, double v, LawForm form, Input input,
                              std::string_view what) {
  const Range r = FittedRange(form, input);
  if (!std::isfinite(r.lo) || !(v < r.lo / kImplausibleFactor)) return std::nullopt;
  const std::string_view name = key.substr(key.rfind('.') + 1);
  return Error{fmt::format("{} = {:g}: {:.2g}x below the smallest {} any law here was fitted on "
                           "({:.3g}); did you mean {} = \"{}\"? {}",
                           key, v, r.lo / v, what, r.lo, name, LikelySuffix(v, r), kHowToAllow),
               std::string(key)};
}

std::string_view BasisKey(TrainingBasis basis) {
  return basis == TrainingBasis::kEpochs   ? "training.epochs"
         : basis == TrainingBasis::kTokens ? "training.tokens"
                                           : "training.compute";
}

}  // namespace

std::optional<Error> CheckPlausible(const RunSpec& spec, const Run& run, const Summary& summary,
                                    bool allow_implausible) {
  // Contradictions.
  const double last_epoch = TokenEpochs(run);
  const Dropout& d = run.dropout;
  const bool starts_late =
      d.schedule == DropoutSchedule::kStep || d.schedule == DropoutSchedule::kLinear;
  if (starts_late && d.start_epoch >= last_epoch) {
    return Error{fmt::format("training.dropout.start_epoch = {:g}: the run ends at epoch {:.4g}, "
                             "so dropout never starts (must be < {:.4g})",
                             d.start_epoch, last_epoch, last_epoch),
                 "training.dropout.start_epoch"};
  }
  if (d.schedule == DropoutSchedule::kEarly && !d.ends_with_run &&
      d.end_epoch > last_epoch * (1 + 1e-12)) {
    return Error{fmt::format("training.dropout.end_epoch = {:g}: the run ends at epoch {:.4g}, "
                             "so early dropout never ends (must be <= {:.4g}; schedule = "
                             "\"constant\" keeps it on throughout)",
                             d.end_epoch, last_epoch, last_epoch),
                 "training.dropout.end_epoch"};
  }
  if (allow_implausible) return std::nullopt;

  // More active than distinct parameters is parameter sharing (ALBERT; the
  // ParamShare arm of Token-Crisis finding 5) or, far more often, params and
  // active_params swapped.
  if (spec.active_params && !spec.params_compute_optimal && !spec.params_data_constrained &&
      *spec.active_params > spec.params) {
    return Error{fmt::format("model.active_params = {:g}: above model.params = {:g}: swapped? "
                             "Active parameters are a part of all parameters unless the model "
                             "shares them {}",
                             *spec.active_params, spec.params, kHowToAllow),
                 "model.active_params"};
  }

  // Inputs far below anything measured: a missing unit suffix.
  const LawForm form = run.law.form;
  if (!spec.params_compute_optimal && !spec.params_data_constrained) {
    if (auto e = TooSmall("model.params", spec.params, form, Input::kParams, "model")) return e;
    if (spec.active_params) {
      if (auto e =
              TooSmall("model.active_params", *spec.active_params, form, Input::kParams, "model")) {
        return e;
      }
    }
  }
  for (const DataSource& s : spec.sources) {
    const std::string key = spec.mixture ? fmt::format("data.source.{}.unique_tokens", s.name)
                                         : std::string("data.unique_tokens");
    if (auto e = TooSmall(key, s.unique_tokens, form, Input::kUniqueTokens, "data set")) return e;
  }
  if (spec.basis == TrainingBasis::kTokens) {
    if (auto e = TooSmall("training.tokens", spec.training_value, form, Input::kTokens,
                          "training run (tokens)")) {
      return e;
    }
  }

  // A loss above the loss an overfitting run tends to (MODEL.md §2b).
  // A law without a cap (ratio2026's bounded term) is held to overfit2026's.
  const bool own_cap = run.law.overfit && run.law.loss_cap > 0;
  const double cap = own_cap ? run.law.loss_cap : MakeLaw(LawPreset::kOverfit2026).loss_cap;
  const double loss = std::max(summary.loss_unique, summary.loss_repeated);
  if (loss > cap) {
    const bool unique = summary.loss_unique >= summary.loss_repeated;
    return Error{
        fmt::format("{} = {:.4g} nats: above {:.4g}, the loss {} tends to when a model has learned "
                    "nothing it can use (the law's cap, MODEL.md §2b), at params = {:.3g}, "
                    "tokens = {:.3g}, unique_tokens = {:.3g}: check the units of {} {}",
                    unique ? "loss_unique" : "loss_repeated", loss, cap,
                    own_cap ? "this law" : "overfit2026", run.params, run.tokens, UniqueTokens(run),
                    "model.params, data.unique_tokens and", BasisKey(spec.basis), kHowToAllow),
        "model.params"};
  }
  return std::nullopt;
}

}  // namespace repsim
