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
constexpr std::array<std::string_view, 2> kComputeOptimal = {"compute_optimal",
                                                             "data_constrained_optimal"};

constexpr double kMaxEpochs = 1e7;

// The law's constants (law.E ...) come from LawConstants() after law.preset
// (BuildKeys), so that a new constant is added in one place.
const std::array<KeyInfo, 19> kKeys = {{
    {"law.preset", KeyKind::kChoice, LawPresetNames(), "loss-law preset (resets its constants)"},
    {"model.params", KeyKind::kQuantity, kComputeOptimal,
     "total parameters, \"compute_optimal\" (fresh data) or \"data_constrained_optimal\""},
    {"model.active_params", KeyKind::kQuantity, {}, "parameters active per token (FLOPs)"},
    {"model.objective", KeyKind::kChoice, {}, "training objective"},
    {"data.unique_tokens", KeyKind::kQuantity, {}, "unique tokens available"},
    {"data.quality", KeyKind::kNumber, {}, "value multiplier of every token"},
    {"training.tokens", KeyKind::kQuantity, {}, "tokens seen"},
    {"training.epochs", KeyKind::kNumber, {}, "passes over the unique tokens"},
    {"training.compute", KeyKind::kQuantity, {}, "training FLOPs"},
    {"training.dropout.schedule", KeyKind::kChoice, {}, "dropout schedule"},
    {"training.dropout.rate", KeyKind::kNumber, {}, "dropout rate"},
    {"training.dropout.start_epoch", KeyKind::kNumber, {}, "where dropout switches on / ramps"},
    {"training.dropout.end_epoch", KeyKind::kNumber, {}, "where the ramp ends / dropout stops"},
    {"modifiers.c_drop", KeyKind::kNumber, {}, "learning-efficiency cost of dropout"},
    {"modifiers.g0", KeyKind::kNumber, {}, "dropout's stretch of the decay at 1e9 params"},
    {"modifiers.eta", KeyKind::kNumber, {}, "scale exponent of dropout's benefit"},
    {"modifiers.size_gamma", KeyKind::kNumber, {}, "dataset-size modifier of the decay"},
    {"modifiers.displacement",
     KeyKind::kNumber,
     {},
     "strength of capacity displacement by repeated mixture sources (0: off)"},
    {"modifiers.memorization_capacity",
     KeyKind::kNumber,
     {},
     "tokens a parameter can memorise (capacity displacement)"},
}};
// Set apart so the array above stays in SCENARIO.md order.
const KeyInfo kObjectiveMultiplierKey = {"modifiers.objective_multiplier",
                                         KeyKind::kNumber,
                                         {},
                                         "overrides the objective's R_D* multiplier"};

// One source of a mixture ([[data.source]]), by its name: data.source.<name>.<field>.
constexpr std::string_view kSourcePrefix = "data.source.";
const std::array<KeyInfo, 3> kSourceKeys = {{
    {"data.source.<name>.unique_tokens", KeyKind::kQuantity, {}, "unique tokens of one source"},
    {"data.source.<name>.weight",
     KeyKind::kNumber,
     {},
     "share of training tokens from one source (the others keep their proportions)"},
    {"data.source.<name>.quality", KeyKind::kNumber, {}, "value multiplier of one source"},
}};

const KeyInfo* FindSourceKey(std::string_view path) {
  auto parts = ParseSourceKey(path);
  if (!parts) return nullptr;
  for (const KeyInfo& k : kSourceKeys) {
    if (k.path.substr(k.path.rfind('.') + 1) == parts->field) return &k;
  }
  return nullptr;
}

// Sets a field of the named source. A weight keeps the others' proportions:
// they share 1 - w as they shared what they had, so the weights still sum to 1.
MaybeError SetSourceNumber(RunSpec& spec, std::string_view path, double value) {
  if (auto e = SourceKeyProblem(spec, path)) return fmt::format("{}: {}", path, *e);
  const auto [name, field] = *ParseSourceKey(path);
  DataSource* src = nullptr;
  for (DataSource& d : spec.sources) {
    if (d.name == name) src = &d;
  }
  if (field == "unique_tokens") {
    src->unique_tokens = value;
  } else if (field == "quality") {
    src->quality = value;
  } else {  // weight
    if (!std::isfinite(value) || !(value > 0) || !(value < 1)) {
      return fmt::format("{} = {}: must be in (0, 1): the other sources keep a share", path, value);
    }
    double others = 0;
    for (const DataSource& d : spec.sources) {
      if (&d != src) others += d.weight;
    }
    if (!(others > 0)) return fmt::format("{}: the other sources have no weight to rescale", path);
    for (DataSource& d : spec.sources) {
      if (&d != src) d.weight *= (1.0 - value) / others;
    }
    src->weight = value;
  }
  return std::nullopt;
}

// "law.<name>" and "<meaning>, <unit>" of every LawConstants() entry, made
// once and never resized (KeyInfo holds views of them).
struct LawKeyText {
  std::vector<std::string> paths, helps;
};
const LawKeyText& LawKeys() {
  static const LawKeyText text = [] {
    LawKeyText t;
    for (const LawConstant& c : LawConstants()) {
      t.paths.push_back(fmt::format("law.{}", c.name));
      t.helps.push_back(c.unit.empty() ? std::string(c.meaning)
                                       : fmt::format("{}, {}", c.meaning, c.unit));
    }
    return t;
  }();
  return text;
}

std::vector<KeyInfo> BuildKeys() {
  std::vector<KeyInfo> keys(kKeys.begin(), kKeys.begin() + 1);  // law.preset
  const LawKeyText& law = LawKeys();
  for (size_t i = 0; i < law.paths.size(); ++i) {
    keys.push_back({law.paths[i], KeyKind::kNumber, {}, law.helps[i]});
  }
  keys.insert(keys.end(), kKeys.begin() + 1, kKeys.end());
  for (KeyInfo& k : keys) {
    if (k.path == "model.objective") k.choices = ObjectiveNames();
    if (k.path == "training.dropout.schedule") k.choices = DropoutScheduleNames();
  }
  keys.push_back(kObjectiveMultiplierKey);
  keys.insert(keys.end(), kSourceKeys.begin(), kSourceKeys.end());
  return keys;
}

const std::vector<KeyInfo>& Keys() {
  static const std::vector<KeyInfo> keys = BuildKeys();
  return keys;
}

Error KeyError(std::string_view key, std::string message) {
  return Error{std::move(message), std::string(key)};
}

// The law constant a `law.` key names (`name` without the prefix), or nullptr.
const LawConstant* FindLawConstant(std::string_view name) {
  for (const LawConstant& c : LawConstants()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

std::string_view ToString(TrainingBasis basis) { return kBasisNames[static_cast<size_t>(basis)]; }

std::span<const KeyInfo> SettableKeys() { return Keys(); }

const KeyInfo* FindKey(std::string_view path) {
  for (const KeyInfo& k : Keys()) {
    if (k.path == path) return &k;
  }
  return FindSourceKey(path);
}

std::optional<SourceKey> ParseSourceKey(std::string_view path) {
  if (path.substr(0, kSourcePrefix.size()) != kSourcePrefix) return std::nullopt;
  const std::string_view rest = path.substr(kSourcePrefix.size());
  const size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  return SourceKey{rest.substr(0, dot), rest.substr(dot + 1)};
}

MaybeError SourceKeyProblem(const RunSpec& spec, std::string_view path) {
  const auto key = ParseSourceKey(path);
  if (!key) return std::string("not a data.source.<name>.<field> key");
  if (!spec.mixture) {
    return std::string(
        "this scenario's data is one source (data.unique_tokens), not a mixture of "
        "[[data.source]]");
  }
  std::string names;
  for (const DataSource& d : spec.sources) {
    if (d.name == key->name) return std::nullopt;
    if (!names.empty()) names += ", ";
    names += d.name;
  }
  return fmt::format("no data source named '{}' (sources: {})", key->name, names);
}

std::vector<std::string> ConcreteKeys(const RunSpec& spec, bool numeric_only) {
  std::vector<std::string> keys;
  for (const KeyInfo& k : Keys()) {
    if (numeric_only && k.kind == KeyKind::kChoice) continue;
    if (k.path.substr(0, kSourcePrefix.size()) != kSourcePrefix) {
      keys.emplace_back(k.path);
    } else if (spec.mixture) {
      const std::string_view field = k.path.substr(k.path.rfind('.') + 1);
      for (const DataSource& d : spec.sources) {
        keys.push_back(fmt::format("{}{}.{}", kSourcePrefix, d.name, field));
      }
    }
  }
  return keys;
}

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

MaybeError SetNumber(RunSpec& spec, std::string_view path, double value) {
  const KeyInfo* key = FindKey(path);
  if (!key) return fmt::format("{}: not a key that can be set", path);
  if (key->kind == KeyKind::kChoice) {
    return fmt::format("{}: takes one of its names, not a number", path);
  }
  if (key->path.substr(0, kSourcePrefix.size()) == kSourcePrefix) {
    return SetSourceNumber(spec, path, value);
  }
  if (path.substr(0, 4) == "law.") {
    const LawConstant* c = FindLawConstant(path.substr(4));
    if (!c) return fmt::format("{}: not a key that can be set", path);
    if (c->overfit && !spec.law.overfit) {
      return fmt::format(
          "{}: not a constant of the {} law (the overfitting constants belong to overfit2026; "
          "set law.preset = \"overfit2026\")",
          path, ToString(spec.law.preset));
    }
    if (!HasConstant(spec.law, *c)) {
      std::string mine;
      for (const auto& [name, v] : LawConstants(spec.law)) {
        mine += fmt::format("{}{}", mine.empty() ? "" : ", ", name);
      }
      return fmt::format("{}: not a constant of the {} law (its constants: {})", path,
                         ToString(spec.law.preset), mine);
    }
    spec.law.*c->field = value;
    return std::nullopt;
  }
  if (path == "model.params") {
    spec.params = value;
    spec.params_compute_optimal = false;
    spec.params_data_constrained = false;
  } else if (path == "model.active_params") {
    spec.active_params = value;
  } else if (path == "data.unique_tokens" || path == "data.quality") {
    if (spec.mixture) {
      return fmt::format("{}: this scenario's data is a mixture ([[data.source]])", path);
    }
    if (spec.sources.empty()) spec.sources.push_back(DataSource{});
    (path == "data.unique_tokens" ? spec.sources[0].unique_tokens : spec.sources[0].quality) =
        value;
  } else if (path == "training.tokens") {
    spec.basis = TrainingBasis::kTokens;
    spec.training_value = value;
  } else if (path == "training.epochs") {
    spec.basis = TrainingBasis::kEpochs;
    spec.training_value = value;
  } else if (path == "training.compute") {
    spec.basis = TrainingBasis::kCompute;
    spec.training_value = value;
  } else if (path == "training.dropout.rate") {
    spec.dropout.rate = value;
  } else if (path == "training.dropout.start_epoch") {
    spec.dropout.start_epoch = value;
  } else if (path == "training.dropout.end_epoch") {
    spec.dropout.end_epoch = value;
  } else if (path == "modifiers.c_drop") {
    spec.modifiers.c_drop = value;
  } else if (path == "modifiers.g0") {
    spec.modifiers.g0 = value;
  } else if (path == "modifiers.eta") {
    spec.modifiers.eta = value;
  } else if (path == "modifiers.size_gamma") {
    spec.modifiers.size_gamma = value;
  } else if (path == "modifiers.displacement") {
    spec.modifiers.displacement = value;
  } else if (path == "modifiers.memorization_capacity") {
    spec.modifiers.memorization_capacity = value;
  } else if (path == "modifiers.objective_multiplier") {
    spec.modifiers.objective_multiplier = value;
  } else {
    return fmt::format("{}: not a numeric key", path);
  }
  return std::nullopt;
}

MaybeError SetChoice(RunSpec& spec, std::string_view path, std::string_view value) {
  auto unknown = [&](std::span<const std::string_view> allowed) {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
    return fmt::format("{} = \"{}\": must be one of {}", path, value, list);
  };
  if (path == "law.preset") {
    auto p = LawPresetFromString(value);
    if (!p) return unknown(LawPresetNames());
    spec.law = MakeLaw(*p);
  } else if (path == "model.objective") {
    auto o = ObjectiveFromString(value);
    if (!o) return unknown(ObjectiveNames());
    spec.objective = *o;
  } else if (path == "training.dropout.schedule") {
    auto s = DropoutScheduleFromString(value);
    if (!s) return unknown(DropoutScheduleNames());
    spec.dropout.schedule = *s;
  } else if (path == "model.params") {
    if (value != "compute_optimal" && value != "data_constrained_optimal") {
      if (auto q = ParseQuantity(value)) return SetNumber(spec, path, *q);
      return fmt::format(
          "model.params = \"{}\": must be a number, a suffixed quantity (\"7B\") or "
          "\"compute_optimal\" or \"data_constrained_optimal\"",
          value);
    }
    spec.params_compute_optimal = true;
    spec.params_data_constrained = value == "data_constrained_optimal";
  } else if (const KeyInfo* k = FindKey(path); k && k->kind == KeyKind::kQuantity) {
    auto q = ParseQuantity(value);
    if (!q) {
      return fmt::format("{} = \"{}\": must be a number or a quantity like \"25B\" (K, M, B, T)",
                         path, value);
    }
    return SetNumber(spec, path, *q);
  } else {
    return fmt::format("{}: does not take a name", path);
  }
  return std::nullopt;
}

std::optional<double> GetNumber(const RunSpec& spec, std::string_view path) {
  if (path.substr(0, 4) == "law.") {
    if (const LawConstant* c = FindLawConstant(path.substr(4))) return spec.law.*c->field;
    return std::nullopt;
  }
  if (path == "model.params")
    return spec.params_compute_optimal ? std::nullopt : std::optional(spec.params);
  if (path == "model.active_params") return spec.active_params;
  if (auto key = ParseSourceKey(path); key && spec.mixture) {
    for (const DataSource& d : spec.sources) {
      if (d.name != key->name) continue;
      if (key->field == "unique_tokens") return d.unique_tokens;
      if (key->field == "weight") return d.weight;
      if (key->field == "quality") return d.quality;
    }
    return std::nullopt;
  }
  if (path == "data.unique_tokens" && !spec.mixture && !spec.sources.empty())
    return spec.sources[0].unique_tokens;
  if (path == "data.quality" && !spec.mixture && !spec.sources.empty())
    return spec.sources[0].quality;
  if (path == "training.tokens" && spec.basis == TrainingBasis::kTokens) return spec.training_value;
  if (path == "training.epochs" && spec.basis == TrainingBasis::kEpochs) return spec.training_value;
  if (path == "training.compute" && spec.basis == TrainingBasis::kCompute)
    return spec.training_value;
  if (path == "training.dropout.rate") return spec.dropout.rate;
  if (path == "training.dropout.start_epoch") return spec.dropout.start_epoch;
  if (path == "training.dropout.end_epoch") return spec.dropout.end_epoch;
  if (path == "modifiers.c_drop") return spec.modifiers.c_drop;
  if (path == "modifiers.g0") return spec.modifiers.g0;
  if (path == "modifiers.eta") return spec.modifiers.eta;
  if (path == "modifiers.size_gamma") return spec.modifiers.size_gamma;
  if (path == "modifiers.displacement") return spec.modifiers.displacement;
  if (path == "modifiers.memorization_capacity") return spec.modifiers.memorization_capacity;
  if (path == "modifiers.objective_multiplier") return spec.modifiers.objective_multiplier;
  return std::nullopt;
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
  if (spec.basis == TrainingBasis::kCompute) {
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
  if (auto e = Validate(run)) {
    const std::string key = e->substr(0, e->find_first_of(" :"));
    return KeyError(key, *e);
  }
  return run;
}

}  // namespace repsim
