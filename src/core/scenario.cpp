#include "repsim/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "repsim/plan.h"

namespace repsim {
namespace {

constexpr std::array<std::string_view, 3> kBasisNames = {"tokens", "epochs", "compute"};
constexpr double kMaxEpochs = 1e7;

Error KeyError(std::string_view key, std::string message) {
  return Error{std::move(message), std::string(key)};
}

}  // namespace

std::string_view ToString(TrainingBasis basis) { return kBasisNames[static_cast<size_t>(basis)]; }

std::optional<double> ParseNumber(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseQuantity(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  int suffix_exponent = 0;
  switch (std::toupper(static_cast<unsigned char>(text.back()))) {
    case 'K':
      suffix_exponent = 3;
      break;
    case 'M':
      suffix_exponent = 6;
      break;
    case 'B':
      suffix_exponent = 9;
      break;
    case 'T':
      suffix_exponent = 12;
      break;
    default:
      break;
  }
  if (suffix_exponent) {
    text.remove_suffix(1);
    // "7 B" is not a quantity: the suffix follows the number directly.
    if (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) return std::nullopt;
  }
  const std::optional<double> v = ParseNumber(text);
  if (!v || !suffix_exponent || !std::isfinite(*v)) return v;
  // The suffix moves the decimal exponent; the digits are read once, with it,
  // so that the result is correctly rounded (a product v * 1e12 is not).
  while (std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  if (text.front() == '+') text.remove_prefix(1);  // ParseNumber accepted the rest
  const size_t e = text.find_first_of("eE");
  long long exponent = suffix_exponent;
  if (e != std::string_view::npos) {  // [+-]digits follow
    size_t i = e + 1;
    const bool negative = text[i] == '-';
    if (text[i] == '-' || text[i] == '+') ++i;
    long long typed = 0;
    for (; i < text.size(); ++i) typed = std::min(typed * 10 + (text[i] - '0'), 100000LL);
    exponent += negative ? -typed : typed;
  }
  const std::string decimal =
      fmt::format("{}e{}", text.substr(0, std::min(e, text.size())), exponent);
  double exact = 0;
  const auto read = std::from_chars(decimal.data(), decimal.data() + decimal.size(), exact);
  if (read.ec != std::errc()) return *v * std::pow(10.0, suffix_exponent);  // out of range
  return exact;
}

Expected<Run> Resolve(const RunSpec& spec) {
  auto quantity = [](std::string_view key, double v) -> std::optional<Error> {
    if (!std::isfinite(v) || !(v >= kMinQuantity) || v > kMaxQuantity) {
      return KeyError(key, fmt::format("{} = {}: must be >= {:g} and <= {:g}", key, v, kMinQuantity,
                                       kMaxQuantity));
    }
    return std::nullopt;
  };
  if (auto e = Validate(spec.law)) {
    std::string key = "law." + e->substr(0, e->find(' '));
    return KeyError(key, "law." + *e);
  }
  if (spec.sources.empty()) return KeyError("data", "data: give unique_tokens or [[data.source]]");
  if (!spec.mixture) {
    if (auto e = quantity("data.unique_tokens", spec.sources[0].unique_tokens)) return *e;
    const double k = spec.sources[0].quality;
    if (!std::isfinite(k) || !(k > 0) || k > 1e6) {
      return KeyError("data.quality", fmt::format("data.quality = {}: must be > 0 and <= 1e6", k));
    }
  }
  if (!spec.params_compute_optimal) {
    if (auto e = quantity("model.params", spec.params)) return *e;
  } else if (spec.active_params) {
    return KeyError("model.active_params",
                    "model.active_params: cannot be given with params = \"compute_optimal\" "
                    "(the optimum is for a dense model)");
  }
  if (spec.active_params) {
    if (auto e = quantity("model.active_params", *spec.active_params)) return *e;
  }

  Run run;
  run.law = spec.law;
  run.objective = spec.objective;
  run.sources = spec.sources;
  run.modifiers = spec.modifiers;
  double unique = 0, kbar = 0;
  for (const DataSource& s : spec.sources) {
    unique += s.unique_tokens;
    kbar += s.weight * s.quality;
  }

  // A literal, not formatted: Resolve runs once per sweep point.
  const std::string_view basis_key = spec.basis == TrainingBasis::kEpochs   ? "training.epochs"
                                     : spec.basis == TrainingBasis::kTokens ? "training.tokens"
                                                                            : "training.compute";
  const double v = spec.training_value;
  if (spec.basis == TrainingBasis::kEpochs) {
    if (!std::isfinite(v) || !(v > 0) || v > kMaxEpochs) {
      return KeyError(basis_key,
                      fmt::format("{} = {}: must be > 0 and <= {:g}", basis_key, v, kMaxEpochs));
    }
  } else if (auto e = quantity(basis_key, v)) {
    return *e;
  }

  if (spec.params_data_constrained) {
    // plan allocate's answer: --compute C, or --tokens D (D = epochs U).
    Expected<DataConstrainedPlan> plan =
        spec.basis == TrainingBasis::kCompute
            ? AllocateCompute(spec.law, v, unique)
            : BestParamsForTokens(spec.law, spec.basis == TrainingBasis::kTokens ? v : v * unique,
                                  unique);
    if (!plan) {
      return KeyError("model.params",
                      fmt::format("model.params = \"data_constrained_optimal\": {}", plan.error()));
    }
    run.params = plan->optimum.params;
    run.active_params = run.params;
    run.tokens = spec.basis == TrainingBasis::kCompute  ? v / (6.0 * run.params)
                 : spec.basis == TrainingBasis::kTokens ? v
                                                        : v * unique;
    if (plan->unused_flops > 0) {
      // The best plan within the budget stops short of it (plan.h): the run
      // trains that plan and says what it leaves unused (RunWarnings).
      run.tokens = plan->optimum.tokens;
      run.unused_compute = plan->unused_flops;
    }
  } else if (spec.basis == TrainingBasis::kCompute) {
    if (spec.params_compute_optimal) {
      run.params = ComputeOptimal(spec.law, v).params;
      run.active_params = run.params;
    } else {
      run.params = spec.params;
      run.active_params = spec.active_params.value_or(spec.params);
    }
    run.tokens = v / (6.0 * run.active_params);
  } else {
    run.tokens = spec.basis == TrainingBasis::kTokens ? v : v * unique;
    // The law sees quality-weighted tokens (MODEL.md §3, finding 4).
    run.params = spec.params_compute_optimal
                     ? ComputeOptimalParamsForTokens(spec.law, kbar * run.tokens)
                     : spec.params;
    run.active_params = spec.active_params.value_or(run.params);
  }
  // The length as typed, for Compute() / Epochs() (run.h).
  if (spec.basis == TrainingBasis::kCompute && run.unused_compute == 0) {
    run.typed_compute = TypedLength{v, run.tokens, run.active_params};
  } else if (spec.basis == TrainingBasis::kEpochs) {
    run.typed_epochs = TypedLength{v, run.tokens, unique};
  }
  if (auto e = quantity("model.params", run.params)) {
    e->message += " (after deriving the compute-optimal size)";
    return *e;
  }
  if (auto e = quantity("training.tokens", run.tokens)) {
    e->key = std::string(basis_key);
    e->message = fmt::format("{} gives {} training tokens: must be >= {:g} and <= {:g}", basis_key,
                             run.tokens, kMinQuantity, kMaxQuantity);
    return *e;
  }

  // Epochs reached through tokens (or compute) and unique tokens obey the
  // limit of `training.epochs`: a unit slip (unique_tokens = 25 for "25B")
  // is an error at the unique-token key, not 4e10 epochs run silently.
  for (const DataSource& s : spec.sources) {
    const double implied = s.weight * run.tokens / s.unique_tokens;
    if (implied <= kMaxEpochs) continue;
    const std::string key = spec.mixture ? fmt::format("data.source.{}.unique_tokens", s.name)
                                         : std::string("data.unique_tokens");
    const std::string with = spec.basis == TrainingBasis::kEpochs
                                 ? fmt::format("training.epochs = {:g}", v)
                                 : fmt::format("{} = {:g}", basis_key, v);
    return KeyError(key, fmt::format("{} = {:g} with {} implies {:g} epochs{}: must be <= {:g} "
                                     "(the limit of training.epochs; a missing suffix such as "
                                     "\"{:g}B\"?)",
                                     key, s.unique_tokens, with, implied,
                                     spec.mixture ? fmt::format(" of source '{}'", s.name) : "",
                                     kMaxEpochs, s.unique_tokens));
  }

  const DropoutSpec& d = spec.dropout;
  run.dropout.schedule = d.schedule;
  run.dropout.rate = d.rate;
  run.dropout.start_epoch = d.start_epoch.value_or(0.0);
  run.dropout.end_epoch = d.end_epoch.value_or(run.tokens / unique);
  run.dropout.ends_with_run = !d.end_epoch;
  if (d.schedule == DropoutSchedule::kStep && !d.start_epoch) {
    return KeyError("training.dropout.start_epoch",
                    "training.dropout.start_epoch: required when schedule = \"step\"");
  }
  if (d.schedule == DropoutSchedule::kEarly && !d.end_epoch) {
    return KeyError("training.dropout.end_epoch",
                    "training.dropout.end_epoch: required when schedule = \"early\"");
  }
  if (d.schedule == DropoutSchedule::kNone && d.rate != 0) {
    return KeyError("training.dropout.rate",
                    fmt::format("training.dropout.rate = {}: schedule = \"none\" takes no rate "
                                "(choose constant, step, linear or early)",
                                d.rate));
  }
  run.weight_decay = spec.weight_decay;
  if (std::isfinite(run.weight_decay) && run.weight_decay >= 0 &&
      run.weight_decay <= kMaxWeightDecay && run.modifiers.weight_decay_shape > 0 &&
      run.modifiers.weight_decay_factor > 0 && run.modifiers.weight_decay_factor <= 1) {
    run.law.overfit_scale = WeightDecayFactor(run);  // else Validate says what is wrong
  }
  if (auto e = Validate(run)) {
    const std::string key = e->substr(0, e->find_first_of(" :"));
    return KeyError(key, *e);
  }
  return run;
}

}  // namespace repsim
