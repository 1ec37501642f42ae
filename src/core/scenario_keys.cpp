#include "repsim/scenario_keys.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace repsim {
namespace {

constexpr std::array<std::string_view, 2> kComputeOptimal = {"compute_optimal",
                                                             "data_constrained_optimal"};
constexpr std::string_view kSourcePrefix = "data.source.";

// A range bound as messages write it: 1e6 and 1e12, not 1000000.
std::string RangeNumber(double v) {
  const double e = std::log10(std::fabs(v));
  if (v != 0 && std::fabs(v) >= 1e5 && e == std::round(e)) {
    return fmt::format("{}1e{}", v < 0 ? "-" : "", static_cast<int>(e));
  }
  return fmt::format("{}", v);
}

std::string OneOf(std::string_view path, std::string_view value,
                  std::span<const std::string_view> allowed) {
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
  return fmt::format("{} = \"{}\": must be one of {}", path, value, list);
}

// --- The rows -----------------------------------------------------------------

// A row's identity: the rest of its fields are set where it is made.
KeyInfo Row(std::string path, KeyKind kind, std::string_view help, std::string_view unit = {}) {
  KeyInfo k;
  k.path = std::move(path);
  k.kind = kind;
  k.help = help;
  k.unit = unit;
  return k;
}

KeyInfo LawPresetKey() {
  KeyInfo k = Row("law.preset", KeyKind::kChoice, "loss-law preset (resets its constants)");
  k.choices = LawPresetNames();
  k.set_name = [](RunSpec& s, std::string_view path, std::string_view v) -> MaybeError {
    auto p = LawPresetFromString(v);
    if (!p) return OneOf(path, v, LawPresetNames());
    s.law = MakeLaw(*p);
    return std::nullopt;
  };
  return k;
}

// law.<name> for every constant of LawConstants() (law.h, the one list).
KeyInfo LawConstantKey(const LawConstant& c) {
  KeyInfo k = Row(fmt::format("law.{}", c.name), KeyKind::kNumber, {}, c.unit);
  k.set_number = [&c](RunSpec& s, std::string_view path, double v) -> MaybeError {
    if (c.overfit && !s.law.overfit) {
      return fmt::format(
          "{}: not a constant of the {} law (the overfitting constants belong to ratio2026 and "
          "overfit2026; set law.preset = \"ratio2026\")",
          path, ToString(s.law.preset));
    }
    if (!HasConstant(s.law, c)) {
      std::string mine;
      for (const auto& [name, value] : LawConstants(s.law)) {
        mine += fmt::format("{}{}", mine.empty() ? "" : ", ", name);
      }
      return fmt::format("{}: not a constant of the {} law (its constants: {})", path,
                         ToString(s.law.preset), mine);
    }
    s.law.*c.field = v;
    return std::nullopt;
  };
  k.get = [&c](const RunSpec& s, std::string_view) -> std::optional<double> {
    return s.law.*c.field;
  };
  return k;
}

// "<meaning>, <unit>" of every law constant, made once and never resized
// (the law rows' help views them).
const std::vector<std::string>& LawHelps() {
  static const std::vector<std::string> helps = [] {
    std::vector<std::string> h;
    for (const LawConstant& c : LawConstants()) {
      h.push_back(c.unit.empty() ? std::string(c.meaning)
                                 : fmt::format("{}, {}", c.meaning, c.unit));
    }
    return h;
  }();
  return helps;
}

// A key that takes one of an enum's names: set on the spec, echoed by the
// input column `column` (its meaning: the help).
template <typename E>
KeyInfo ChoiceKey(std::string path, std::string_view help, std::string_view column,
                  std::span<const std::string_view> names,
                  std::optional<E> (*from_name)(std::string_view), E& (*spec_field)(RunSpec&),
                  E (*run_field)(const Run&)) {
  KeyInfo k = Row(std::move(path), KeyKind::kChoice, help);
  k.choices = names;
  k.column = column;
  k.column_meaning = help;
  k.set_name = [names, from_name, spec_field](RunSpec& s, std::string_view path,
                                              std::string_view v) -> MaybeError {
    const std::optional<E> e = from_name(v);
    if (!e) return OneOf(path, v, names);
    spec_field(s) = *e;
    return std::nullopt;
  };
  k.resolved_name = [run_field](const Run& r) { return ToString(run_field(r)); };
  return k;
}

// data.<field>: the one source of a plain [data]; an error on a mixture.
template <double DataSource::*kField>
KeyInfo PlainDataKey(std::string_view field, std::string_view help, std::string_view unit = {}) {
  KeyInfo k = Row(fmt::format("data.{}", field),
                  field == "quality" ? KeyKind::kNumber : KeyKind::kQuantity, help, unit);
  k.set_number = [](RunSpec& s, std::string_view path, double v) -> MaybeError {
    if (s.mixture) {
      return fmt::format("{}: this scenario's data is a mixture ([[data.source]])", path);
    }
    if (s.sources.empty()) s.sources.push_back(DataSource{});
    s.sources[0].*kField = v;
    return std::nullopt;
  };
  k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
    if (s.mixture || s.sources.empty()) return std::nullopt;
    return s.sources[0].*kField;
  };
  return k;
}

// training.tokens | epochs | compute: the length and its basis.
template <TrainingBasis kBasis>
KeyInfo TrainingKey(std::string path, std::string_view help, std::string_view unit, KeyKind kind) {
  KeyInfo k = Row(std::move(path), kind, help, unit);
  k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
    s.basis = kBasis;
    s.training_value = v;
    return std::nullopt;
  };
  k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
    if (s.basis != kBasis) return std::nullopt;
    return s.training_value;
  };
  return k;
}

// A number held in a part of the spec and read from the same part of the run:
// spec.<part>.<field> (a double or an optional one), run.<part>.<field>.
template <auto kSpecPart, auto kSpecField, auto kRunPart, auto kRunField>
KeyInfo FieldKey(std::string path, std::string_view help, std::string_view unit, KeyRange range,
                 std::string_view column, std::string_view meaning) {
  KeyInfo k = Row(std::move(path), KeyKind::kNumber, help, unit);
  k.range = range;
  k.column = column;
  k.column_meaning = meaning;
  k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
    (s.*kSpecPart).*kSpecField = v;
    return std::nullopt;
  };
  k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
    return (s.*kSpecPart).*kSpecField;
  };
  k.resolved = [](const Run& r) { return (r.*kRunPart).*kRunField; };
  return k;
}

// A dropout position or rate: spec.dropout.<field>, run.dropout.<field>.
template <auto kSpecField, double Dropout::*kRunField>
KeyInfo DropoutKey(std::string path, std::string_view help, std::string_view unit, KeyRange range,
                   std::string_view column, std::string_view meaning) {
  return FieldKey<&RunSpec::dropout, kSpecField, &Run::dropout, kRunField>(
      std::move(path), help, unit, range, column, meaning);
}

// modifiers.<field>: the same field on the spec and the run, with report.md's term.
template <double Modifiers::*kField>
KeyInfo ModifierKey(std::string_view name, std::string_view help, KeyRange range,
                    std::string_view meaning, std::string_view at_default,
                    std::string_view unit = {}) {
  KeyInfo k = FieldKey<&RunSpec::modifiers, kField, &Run::modifiers, kField>(
      fmt::format("modifiers.{}", name), help, unit, range, name, meaning);
  k.report = ReportTerm{at_default};
  return k;
}

// data.source.<name>.<field>: a field of the named source of a mixture.
DataSource* FindSource(RunSpec& s, std::string_view name) {
  for (DataSource& d : s.sources) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// Sets a field of `src`. A weight keeps the others' proportions: they share
// 1 - w as they shared what they had, so the weights still sum to 1.
MaybeError SetSourceField(RunSpec& s, DataSource& src, std::string_view path,
                          std::string_view field, double value) {
  if (field == "unique_tokens") {
    src.unique_tokens = value;
  } else if (field == "quality") {
    src.quality = value;
  } else {  // weight
    if (!std::isfinite(value) || !(value > 0) || !(value < 1)) {
      return fmt::format("{} = {}: must be in (0, 1): the other sources keep a share", path, value);
    }
    double others = 0;
    for (const DataSource& d : s.sources) {
      if (&d != &src) others += d.weight;
    }
    if (!(others > 0)) return fmt::format("{}: the other sources have no weight to rescale", path);
    for (DataSource& d : s.sources) {
      if (&d != &src) d.weight *= (1.0 - value) / others;
    }
    src.weight = value;
  }
  return std::nullopt;
}

KeyInfo SourceKeyRow(std::string_view field, KeyKind kind, std::string_view help,
                     std::string_view unit = {}) {
  KeyInfo k = Row(fmt::format("{}<name>.{}", kSourcePrefix, field), kind, help, unit);
  k.set_number = [](RunSpec& s, std::string_view path, double v) -> MaybeError {
    if (auto e = SourceKeyProblem(s, path)) return fmt::format("{}: {}", path, *e);
    const SourceKey key = *ParseSourceKey(path);
    return SetSourceField(s, *FindSource(s, key.name), path, key.field, v);
  };
  k.get = [](const RunSpec& s, std::string_view path) -> std::optional<double> {
    const auto key = ParseSourceKey(path);
    if (!key || !s.mixture) return std::nullopt;
    for (const DataSource& d : s.sources) {
      if (d.name != key->name) continue;
      if (key->field == "unique_tokens") return d.unique_tokens;
      if (key->field == "weight") return d.weight;
      if (key->field == "quality") return d.quality;
    }
    return std::nullopt;
  };
  return k;
}

std::vector<KeyInfo> BuildKeys() {
  std::vector<KeyInfo> keys;
  keys.push_back(LawPresetKey());
  for (size_t i = 0; i < LawConstants().size(); ++i) {
    keys.push_back(LawConstantKey(LawConstants()[i]));
    keys.back().help = LawHelps()[i];
  }

  // [model]
  {
    KeyInfo k = Row("model.params", KeyKind::kQuantity,
                    "total parameters, \"compute_optimal\" (fresh data) or "
                    "\"data_constrained_optimal\"",
                    "parameters");
    k.choices = kComputeOptimal;
    k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
      s.params = v;
      s.params_compute_optimal = false;
      s.params_data_constrained = false;
      return std::nullopt;
    };
    k.set_name = [](RunSpec& s, std::string_view path, std::string_view v) -> MaybeError {
      if (v != "compute_optimal" && v != "data_constrained_optimal") {
        if (auto q = ParseQuantity(v)) return SetNumber(s, path, *q);
        return fmt::format(
            "model.params = \"{}\": must be a number, a suffixed quantity (\"7B\") or "
            "\"compute_optimal\" or \"data_constrained_optimal\"",
            v);
      }
      s.params_compute_optimal = true;
      s.params_data_constrained = v == "data_constrained_optimal";
      return std::nullopt;
    };
    k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
      return s.params_compute_optimal ? std::nullopt : std::optional(s.params);
    };
    keys.push_back(std::move(k));
  }
  {
    KeyInfo k = Row("model.active_params", KeyKind::kQuantity,
                    "parameters active per token (FLOPs)", "parameters");
    k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
      s.active_params = v;
      return std::nullopt;
    };
    k.get = [](const RunSpec& s, std::string_view) { return s.active_params; };
    keys.push_back(std::move(k));
  }
  keys.push_back(ChoiceKey<Objective>(
      "model.objective", "training objective", "objective", ObjectiveNames(), ObjectiveFromString,
      [](RunSpec& s) -> Objective& { return s.objective; },
      [](const Run& r) { return r.objective; }));

  // [data]
  keys.push_back(PlainDataKey<&DataSource::unique_tokens>("unique_tokens",
                                                          "unique tokens available", "tokens"));
  {
    KeyInfo k = PlainDataKey<&DataSource::quality>("quality", "value multiplier of every token");
    k.column = "quality";
    k.column_meaning = "token-weighted data quality";
    // Σ w_i k_i: a mixture's quality too (1 for a plain [data] of quality 1).
    k.resolved = [](const Run& r) {
      double q = 0;
      for (const DataSource& s : r.sources) q += s.weight * s.quality;
      return q;
    };
    keys.push_back(std::move(k));
  }

  // [training]
  keys.push_back(TrainingKey<TrainingBasis::kTokens>("training.tokens", "tokens seen", "tokens",
                                                     KeyKind::kQuantity));
  keys.push_back(TrainingKey<TrainingBasis::kEpochs>(
      "training.epochs", "passes over the unique tokens", "epochs", KeyKind::kNumber));
  keys.push_back(TrainingKey<TrainingBasis::kCompute>("training.compute", "training FLOPs", "FLOPs",
                                                      KeyKind::kQuantity));

  // [training.dropout]
  keys.push_back(ChoiceKey<DropoutSchedule>(
      "training.dropout.schedule", "dropout schedule", "dropout_schedule", DropoutScheduleNames(),
      DropoutScheduleFromString, [](RunSpec& s) -> DropoutSchedule& { return s.dropout.schedule; },
      [](const Run& r) { return r.dropout.schedule; }));
  keys.push_back(DropoutKey<&DropoutSpec::rate, &Dropout::rate>(
      "training.dropout.rate", "dropout rate", "", KeyRange{0, 1, false, true}, "dropout_rate",
      "dropout rate (final rate for linear)"));
  keys.push_back(DropoutKey<&DropoutSpec::start_epoch, &Dropout::start_epoch>(
      "training.dropout.start_epoch", "where dropout switches on / ramps", "epochs",
      KeyRange{0, 1e12}, "dropout_start_epoch", "dropout start (step, linear)"));
  {
    KeyInfo k = DropoutKey<&DropoutSpec::end_epoch, &Dropout::end_epoch>(
        "training.dropout.end_epoch", "where the ramp ends / dropout stops", "epochs",
        KeyRange{0, 1e12}, "dropout_end_epoch", "dropout end (linear, early)");
    // Not given: the run's end, as the scenario typed its length.
    k.resolved = [](const Run& r) {
      return r.dropout.ends_with_run ? Epochs(r) : r.dropout.end_epoch;
    };
    k.check = [](const Run& r) -> MaybeError {
      const Dropout& d = r.dropout;
      if (d.schedule == DropoutSchedule::kLinear && !(d.end_epoch > d.start_epoch)) {
        return fmt::format(
            "training.dropout.end_epoch = {}: a linear ramp needs end_epoch > start_epoch ({})",
            d.end_epoch, d.start_epoch);
      }
      if (d.schedule == DropoutSchedule::kEarly && !(d.end_epoch > 0)) {
        return fmt::format("training.dropout.end_epoch = {}: early dropout needs end_epoch > 0",
                           d.end_epoch);
      }
      return std::nullopt;
    };
    keys.push_back(std::move(k));
  }

  // [modifiers] (MODEL.md §3; defaults: calibration.h)
  keys.push_back(ModifierKey<&Modifiers::c_drop>(
      "c_drop", "learning-efficiency cost of dropout", KeyRange{0, 1},
      "dropout's learning-efficiency cost (our assumption)",
      "**our assumption** (p = 0.1 costs 5 % of learning efficiency)"));
  keys.back().report_after = "modifiers.g0";
  keys.push_back(ModifierKey<&Modifiers::g0>(
      "g0", "dropout's stretch of the decay at 1e9 params", KeyRange{0, 1e6},
      "dropout's stretch of the decay at 1e9 params (calibrated, T2)",
      "calibrated: Token-Crisis T2 (dropout recovers 1.3 of 2.9 points)"));
  keys.push_back(
      ModifierKey<&Modifiers::eta>("eta", "scale exponent of dropout's benefit", KeyRange{-10, 10},
                                   "scale exponent of dropout's benefit (our assumption)",
                                   "**our assumption** (dropout helps less at large scale)"));
  keys.push_back(ModifierKey<&Modifiers::size_gamma>(
      "size_gamma", "dataset-size modifier of the decay", KeyRange{-10, 10},
      "dataset-size modifier of the decay", "off (default)"));
  {
    // Unset: the objective's own multiplier (DefaultObjectiveMultiplier);
    // report.md explains it beside the objective, not as a plain term.
    KeyInfo k = Row("modifiers.objective_multiplier", KeyKind::kNumber,
                    "overrides the objective's R_D* multiplier");
    k.range = KeyRange{0, 1e6, true, false};
    k.column = "objective_multiplier";
    k.column_meaning = "m_objective in force";
    k.column_after = "model.objective";
    k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
      s.modifiers.objective_multiplier = v;
      return std::nullopt;
    };
    k.get = [](const RunSpec& s, std::string_view) { return s.modifiers.objective_multiplier; };
    k.resolved = [](const Run& r) {
      return r.modifiers.objective_multiplier.value_or(DefaultObjectiveMultiplier(r.objective));
    };
    keys.push_back(std::move(k));
  }
  keys.push_back(ModifierKey<&Modifiers::displacement>(
      "displacement", "strength of capacity displacement by repeated mixture sources (0: off)",
      // Bounded so that the displaced share stays below 1 - e^-100 (N'' > 0, losses finite).
      KeyRange{0, 100}, "capacity-displacement strength lambda (calibrated, Hernandez et al. 2022)",
      "calibrated: Hernandez et al. 2022 (800M model, 10 % from 100M tokens x 100: like 400M)"));
  keys.push_back(ModifierKey<&Modifiers::memorization_capacity>(
      "memorization_capacity", "tokens a parameter can memorise (capacity displacement)",
      KeyRange{0, 1e6, true, false},
      "tokens a parameter can memorise (our assumption, from Morris et al. 2025)",
      "**our assumption** (3.6 bits/param, Morris et al. 2025, over log2(50257) bits/token)",
      "tokens per parameter"));

  // Weight decay (weight_decay.h): no input column and no report.md row of
  // their own, so that outputs without weight decay stay as they were; the
  // weight-decay columns (io/columns.h kWeightDecayGroup) are written when a
  // run sets it.
  {
    KeyInfo k = Row("training.weight_decay", KeyKind::kNumber,
                    "AdamW weight decay (scales the overfitting term; 0.1 = standard)");
    k.range = KeyRange{0, kMaxWeightDecay};
    k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
      s.weight_decay = v;
      return std::nullopt;
    };
    k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
      return s.weight_decay;
    };
    k.resolved = [](const Run& r) { return r.weight_decay; };
    keys.push_back(std::move(k));
  }
  {
    KeyInfo k = Row("modifiers.weight_decay_shape", KeyKind::kNumber,
                    "shape of weight decay's factor on overfitting (our assumption)");
    k.range = KeyRange{0, 1e3, true, false};
    k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
      s.modifiers.weight_decay_shape = v;
      return std::nullopt;
    };
    k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
      return s.modifiers.weight_decay_shape;
    };
    k.resolved = [](const Run& r) { return r.modifiers.weight_decay_shape; };
    keys.push_back(std::move(k));
  }
  {
    KeyInfo k = Row("modifiers.weight_decay_factor", KeyKind::kNumber,
                    "weight decay 1.0's factor on overfitting (measured ~0.3)");
    k.range = KeyRange{0, 1, true, false};
    k.set_number = [](RunSpec& s, std::string_view, double v) -> MaybeError {
      s.modifiers.weight_decay_factor = v;
      return std::nullopt;
    };
    k.get = [](const RunSpec& s, std::string_view) -> std::optional<double> {
      return s.modifiers.weight_decay_factor;
    };
    k.resolved = [](const Run& r) { return r.modifiers.weight_decay_factor; };
    keys.push_back(std::move(k));
  }

  // [[data.source]] of a mixture, by name.
  keys.push_back(
      SourceKeyRow("unique_tokens", KeyKind::kQuantity, "unique tokens of one source", "tokens"));
  keys.push_back(
      SourceKeyRow("weight", KeyKind::kNumber,
                   "share of training tokens from one source (the others keep their proportions)"));
  keys.push_back(SourceKeyRow("quality", KeyKind::kNumber, "value multiplier of one source"));
  return keys;
}

const std::vector<KeyInfo>& Keys() {
  static const std::vector<KeyInfo> keys = BuildKeys();
  return keys;
}

// `rows` in order, each row that names a key to follow (`after`) moved
// right behind that key's row.
std::vector<const KeyInfo*> Placed(bool (*has)(const KeyInfo&), std::string_view KeyInfo::*after) {
  std::vector<const KeyInfo*> out;
  for (const KeyInfo& k : Keys()) {
    if (!has(k) || !(k.*after).empty()) continue;
    out.push_back(&k);
    for (const KeyInfo& f : Keys()) {
      if (has(f) && f.*after == k.path) out.push_back(&f);
    }
  }
  return out;
}

// The rows Validate(Run) checks, in order.
const std::vector<const KeyInfo*>& CheckedKeys() {
  static const std::vector<const KeyInfo*> rows = [] {
    std::vector<const KeyInfo*> r;
    for (const KeyInfo& k : Keys()) {
      if ((k.range && k.resolved) || k.check) r.push_back(&k);
    }
    return r;
  }();
  return rows;
}

MaybeError CheckQuantity(std::string_view name, double v) {
  if (!std::isfinite(v) || !(v >= kMinQuantity) || v > kMaxQuantity) {
    return fmt::format("{} = {}: must be >= {:g} and <= {:g}", name, v, kMinQuantity, kMaxQuantity);
  }
  return std::nullopt;
}

}  // namespace

bool KeyRange::Contains(double v) const {
  return std::isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

std::string KeyRange::Text() const {
  if (lo_open && !hi_open) return fmt::format("> {} and <= {}", RangeNumber(lo), RangeNumber(hi));
  return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", RangeNumber(lo), RangeNumber(hi),
                     hi_open ? ")" : "]");
}

std::span<const KeyInfo> SettableKeys() { return Keys(); }

const KeyInfo* FindKey(std::string_view path) {
  for (const KeyInfo& k : Keys()) {
    if (k.path == path) return &k;
  }
  if (auto parts = ParseSourceKey(path)) {
    for (const KeyInfo& k : Keys()) {
      if (k.path.starts_with(kSourcePrefix) &&
          std::string_view(k.path).substr(k.path.rfind('.') + 1) == parts->field) {
        return &k;
      }
    }
  }
  return nullptr;
}

std::vector<const KeyInfo*> SectionKeys(std::string_view section) {
  std::vector<const KeyInfo*> out;
  for (const KeyInfo& k : Keys()) {
    const std::string_view p = k.path;
    if (p.size() > section.size() + 1 && p.starts_with(section) && p[section.size()] == '.' &&
        p.find('.', section.size() + 1) == std::string_view::npos) {
      out.push_back(&k);
    }
  }
  return out;
}

std::vector<const KeyInfo*> ColumnKeys() {
  return Placed([](const KeyInfo& k) { return !k.column.empty(); }, &KeyInfo::column_after);
}

std::vector<const KeyInfo*> ReportKeys() {
  return Placed([](const KeyInfo& k) { return k.report.has_value(); }, &KeyInfo::report_after);
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
    if (!k.path.starts_with(kSourcePrefix)) {
      keys.emplace_back(k.path);
    } else if (spec.mixture) {
      const std::string_view field = std::string_view(k.path).substr(k.path.rfind('.') + 1);
      for (const DataSource& d : spec.sources) {
        keys.push_back(fmt::format("{}{}.{}", kSourcePrefix, d.name, field));
      }
    }
  }
  return keys;
}

MaybeError SetNumber(RunSpec& spec, std::string_view path, double value) {
  const KeyInfo* key = FindKey(path);
  if (!key) return fmt::format("{}: not a key that can be set", path);
  if (key->kind == KeyKind::kChoice) {
    return fmt::format("{}: takes one of its names, not a number", path);
  }
  return key->set_number(spec, path, value);
}

MaybeError SetChoice(RunSpec& spec, std::string_view path, std::string_view value) {
  const KeyInfo* key = FindKey(path);
  if (key && key->set_name) return key->set_name(spec, path, value);
  if (key && key->kind == KeyKind::kQuantity) {
    auto q = ParseQuantity(value);
    if (!q) {
      return fmt::format("{} = \"{}\": must be a number or a quantity like \"25B\" (K, M, B, T)",
                         path, value);
    }
    return SetNumber(spec, path, *q);
  }
  return fmt::format("{}: does not take a name", path);
}

std::optional<double> GetNumber(const RunSpec& spec, std::string_view path) {
  const KeyInfo* key = FindKey(path);
  if (!key || !key->get) return std::nullopt;
  return key->get(spec, path);
}

Expected<KeySetter> BindNumber(const RunSpec& spec, std::string_view path) {
  const KeyInfo* key = FindKey(path);
  if (!key) return Error{fmt::format("{}: not a key that can be set", path), std::string(path)};
  if (key->kind == KeyKind::kChoice) {
    return Error{fmt::format("{}: takes one of its names, not a number", path), std::string(path)};
  }
  if (auto source = ParseSourceKey(path)) {
    // The source, found once: by its index (every point starts from the spec's sources).
    if (auto e = SourceKeyProblem(spec, path)) {
      return Error{fmt::format("{}: {}", path, *e), std::string(path)};
    }
    size_t index = 0;
    while (spec.sources[index].name != source->name) ++index;
    return KeySetter([index, p = std::string(path)](RunSpec& s, double v) -> MaybeError {
      if (index >= s.sources.size()) return fmt::format("{}: no such source", p);
      const std::string_view field = std::string_view(p).substr(p.rfind('.') + 1);
      return SetSourceField(s, s.sources[index], p, field, v);
    });
  }
  return KeySetter(
      [key, p = std::string(path)](RunSpec& s, double v) { return key->set_number(s, p, v); });
}

// Declared in run.h: a run is valid when its quantities are and every key
// holds a value in its range (the rows' `range` and `check`, in order).
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

  for (const KeyInfo* k : CheckedKeys()) {
    if (k->range) {
      const double v = k->resolved(run);
      if (!k->range->Contains(v)) {
        return fmt::format("{} = {}: must be {}", k->path, v, k->range->Text());
      }
    }
    if (k->check) {
      if (auto e = k->check(run)) return e;
    }
  }
  return std::nullopt;
}

}  // namespace repsim
