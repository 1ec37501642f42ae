#include "io/scenario_loader.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "io/columns.h"
#include "io/scenario_set.h"
#include "io/suggest.h"
#include "io/toml_guard.h"
#include "repsim/plausibility.h"
#include "repsim/scenario_keys.h"

namespace repsim::io {
namespace {

// The loader's error for a run whose results are not finite (NonFiniteResult).
std::string NonFiniteMessage(const std::string& bad) {
  return fmt::format(
      "these inputs give a non-finite result ({}): a combination of constants and inputs "
      "outside what the engine can evaluate",
      bad);
}

constexpr std::string_view kTopKeys[] = {"scenario",  "law",    "model", "data",   "training",
                                         "modifiers", "output", "sweep", "compare"};
constexpr std::string_view kScenarioKeys[] = {"name", "description", "allow_implausible"};
// The keys allowed in a section: the registry's keys directly under it
// (scenario_keys.h SectionKeys), then the section's tables and other entries.
std::vector<std::string_view> AllowedKeys(std::string_view section,
                                          std::initializer_list<std::string_view> extra = {}) {
  std::vector<std::string_view> keys;
  for (const KeyInfo* k : SectionKeys(section)) {
    keys.push_back(std::string_view(k->path).substr(section.size() + 1));
  }
  keys.insert(keys.end(), extra.begin(), extra.end());
  return keys;
}
constexpr std::string_view kSourceKeys[] = {"name", "unique_tokens", "weight", "quality"};
constexpr std::string_view kOutputKeys[] = {"trajectory_points", "formats", "plots", "heatmap",
                                            "intervals"};
constexpr std::string_view kFormatNames[] = {"csv", "json", "md"};
constexpr std::string_view kSweepKeys[] = {"axis"};
constexpr std::string_view kAxisKeys[] = {"key", "values", "range"};
constexpr std::string_view kRangeKeys[] = {"from", "to", "steps", "scale"};
constexpr std::string_view kScaleNames[] = {"log", "linear"};

constexpr int kMaxTrajectoryPoints = 100000;
constexpr size_t kMaxNameLength = 100;
// [[compare]] variants in one file (issue 22: 10,000 took > 120 s).
constexpr size_t kMaxCompareVariants = 1000;

std::string Describe(const toml::node& n) {
  if (auto s = n.as_string()) return fmt::format("\"{}\"", s->get());
  if (auto i = n.as_integer()) return fmt::format("{}", i->get());
  if (auto f = n.as_floating_point()) return fmt::format("{}", f->get());
  if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
  if (n.is_array()) return "an array";
  if (n.is_table()) return "a table";
  return "a date/time";
}

class Loader {
 public:
  Loader(std::string path, LoadResult& out, const LoadOptions& options = {})
      : path_(std::move(path)), out_(out), options_(options) {}

  void Error(const toml::source_region& where, std::string message) {
    Diagnostic d;
    d.file = path_;
    d.line = static_cast<int>(where.begin.line);
    d.column = static_cast<int>(where.begin.column);
    if (where.path && IsSetSource(*where.path)) {
      // A value from `--set`: name it, and show it with the caret (its
      // columns are those of the assignment, scenario_set.h).
      d.file = fmt::format("{}: {}", path_, *where.path);
      d.text = *where.path;
      d.line = 0;
      d.column = SetColumn(*where.path, static_cast<int>(where.begin.column));
    }
    d.message = std::move(message);
    out_.errors.push_back(std::move(d));
  }
  void FileError(std::string message) {
    out_.errors.push_back(Diagnostic{path_, 0, 0, std::move(message)});
  }
  bool failed() const { return !out_.errors.empty(); }

  // Reports keys of `t` not in `allowed`, with a suggestion.
  void CheckKeys(const toml::table& t, std::string_view prefix,
                 std::span<const std::string_view> allowed) {
    for (auto&& [k, v] : t) {
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k.str();
      if (ok) continue;
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      Error(k.source(), fmt::format("unknown key '{}{}'{} (allowed here: {})", prefix, k.str(),
                                    DidYouMean(k.str(), allowed), list));
    }
  }

  const toml::table* Table(const toml::table& parent, std::string_view key, std::string_view full) {
    const toml::node* n = parent.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) {
      Error(n->source(), fmt::format("{} = {}: must be a table ([{}])", full, Describe(*n), full));
      return nullptr;
    }
    return n->as_table();
  }

  std::optional<double> Number(const toml::node& n, std::string_view key) {
    if (auto i = n.as_integer()) return static_cast<double>(i->get());
    if (auto f = n.as_floating_point()) return f->get();
    Error(n.source(), fmt::format("{} = {}: must be a number", key, Describe(n)));
    return std::nullopt;
  }

  std::optional<double> Quantity(const toml::node& n, std::string_view key) {
    if (auto s = n.as_string()) {
      if (auto q = ParseQuantity(s->get())) return q;
      Error(n.source(),
            fmt::format("{} = {}: must be a number or a quantity like \"25B\" (suffix K, M, B, T)",
                        key, Describe(n)));
      return std::nullopt;
    }
    if (n.is_integer() || n.is_floating_point()) return Number(n, key);
    Error(n.source(),
          fmt::format("{} = {}: must be a number or a quantity like \"25B\"", key, Describe(n)));
    return std::nullopt;
  }

  std::optional<std::string> String(const toml::node& n, std::string_view key) {
    if (auto s = n.as_string()) return s->get();
    Error(n.source(), fmt::format("{} = {}: must be a string", key, Describe(n)));
    return std::nullopt;
  }

  // A name from `choices`, with a suggestion when it is not one.
  std::optional<std::string> Choice(const toml::node& n, std::string_view key,
                                    std::span<const std::string_view> choices) {
    auto s = String(n, key);
    if (!s) return std::nullopt;
    for (auto c : choices) {
      if (c == *s) return s;
    }
    std::string list;
    for (auto c : choices) list += (list.empty() ? "" : " | ") + std::string(c);
    Error(n.source(),
          fmt::format("{} = \"{}\": must be one of {}{}", key, *s, list, DidYouMean(*s, choices)));
    return std::nullopt;
  }

  // Applies a value to spec at `path`, reporting at `where`.
  bool Apply(RunSpec& spec, std::string_view path, const toml::node& n) {
    const KeyInfo* info = FindKey(path);
    if (!info) return false;
    MaybeError err;
    if (auto s = n.as_string()) {
      if (info->kind == KeyKind::kNumber) {
        Error(n.source(), fmt::format("{} = {}: must be a number", path, Describe(n)));
        return false;
      }
      err = SetChoice(spec, path, s->get());
      if (err && info->kind == KeyKind::kChoice) {
        err = *err + DidYouMean(s->get(), info->choices);
      }
    } else if (n.is_integer() || n.is_floating_point()) {
      if (info->kind == KeyKind::kChoice) {
        Error(n.source(),
              fmt::format("{} = {}: must be a string (one of its names)", path, Describe(n)));
        return false;
      }
      err = SetNumber(spec, path, *Number(n, path));
    } else {
      const char* allowed = info->kind == KeyKind::kChoice   ? "a string (one of its names)"
                            : info->kind == KeyKind::kNumber ? "a number"
                            : path == "model.params"
                                ? "a number, a quantity like \"25B\", \"compute_optimal\" or "
                                  "\"data_constrained_optimal\""
                                : "a number or a quantity like \"25B\"";
      Error(n.source(), fmt::format("{} = {}: must be {}", path, Describe(n), allowed));
      return false;
    }
    if (err) {
      Error(n.source(), *err);
      return false;
    }
    positions_[std::string(path)] = n.source();
    return true;
  }

  // Where a key was set, for errors found on resolution.
  toml::source_region Where(const std::string& key, const toml::source_region& fallback) const {
    auto it = positions_.find(key);
    if (it != positions_.end()) return it->second;
    // A key that was not written: point at a sibling in the same section.
    std::string parent = key;
    while (!parent.empty()) {
      const size_t dot = parent.rfind('.');
      parent = dot == std::string::npos ? std::string() : parent.substr(0, dot);
      if (parent.empty()) break;
      const toml::source_region* first = nullptr;  // the section's first key written
      for (auto& [k, v] : positions_) {
        if (k.rfind(parent + ".", 0) == 0 && (!first || v.begin.line < first->begin.line)) {
          first = &v;
        }
      }
      if (first) return *first;
    }
    return fallback;
  }

  void LoadLaw(const toml::table& t, RunSpec& spec) {
    CheckKeys(t, "law.", AllowedKeys("law", {"source"}));
    if (const toml::node* p = t.get("preset")) {
      if (auto s = Choice(*p, "law.preset", LawPresetNames())) {
        spec.law = MakeLaw(*LawPresetFromString(*s));
        positions_["law.preset"] = p->source();
      }
    }
    for (auto&& [k, v] : t) {
      if (k.str() == "preset" || !FindKey(fmt::format("law.{}", k.str()))) continue;
      const std::string path = fmt::format("law.{}", k.str());
      if (!v.is_integer() && !v.is_floating_point()) {
        Error(v.source(), fmt::format("{} = {}: must be a number", path, Describe(v)));
        continue;
      }
      Apply(spec, path, v);
    }
  }

  void LoadModel(const toml::table& t, RunSpec& spec) {
    CheckKeys(t, "model.", AllowedKeys("model"));
    const toml::node* params = t.get("params");
    if (!params) {
      Error(t.source(),
            "model.params: required (a number, \"7B\", \"compute_optimal\" or "
            "\"data_constrained_optimal\")");
    } else {
      Apply(spec, "model.params", *params);
    }
    ApplyOthers(t, "model", {"params"}, spec);
  }

  // Applies the keys of section `t` the registry lists, but those `handled`
  // (the section's loader reads them itself), in the registry's order.
  void ApplyOthers(const toml::table& t, std::string_view section,
                   std::initializer_list<std::string_view> handled, RunSpec& spec) {
    for (const KeyInfo* k : SectionKeys(section)) {
      const std::string_view name = std::string_view(k->path).substr(section.size() + 1);
      if (std::find(handled.begin(), handled.end(), name) != handled.end()) continue;
      if (const toml::node* n = t.get(name)) Apply(spec, k->path, *n);
    }
  }

  void LoadData(const toml::table& t, RunSpec& spec) {
    CheckKeys(t, "data.", AllowedKeys("data", {"source"}));
    const toml::node* u = t.get("unique_tokens");
    const toml::node* src = t.get("source");
    if (u && src) {
      Error(src->source(),
            "data: give either unique_tokens or [[data.source]], not both (a mixture's sources "
            "carry their own unique_tokens)");
      return;
    }
    if (!u && !src) {
      Error(t.source(), "data.unique_tokens: required (or a mixture of [[data.source]])");
      return;
    }
    if (u) {
      spec.mixture = false;
      spec.sources = {DataSource{}};
      Apply(spec, "data.unique_tokens", *u);
      ApplyOthers(t, "data", {"unique_tokens"}, spec);
      return;
    }
    if (const toml::node* q = t.get("quality")) {
      Error(q->source(), "data.quality: a mixture gives quality per [[data.source]]");
    }
    const toml::array* arr = src->as_array();
    if (!arr || !arr->is_array_of_tables() || arr->empty()) {
      Error(src->source(), "data.source: must be a non-empty array of tables ([[data.source]])");
      return;
    }
    spec.mixture = true;
    spec.sources.clear();
    std::set<std::string> names;
    double wsum = 0;
    for (const toml::node& e : *arr) {
      const toml::table& st = *e.as_table();
      CheckKeys(st, "data.source.", kSourceKeys);
      DataSource ds;
      const toml::node* name = st.get("name");
      if (!name) {
        Error(st.source(), "data.source.name: required (a short name for this source)");
      } else if (auto s = String(*name, "data.source.name")) {
        if (s->empty() || !names.insert(*s).second) {
          Error(name->source(), fmt::format("data.source.name = \"{}\": must be non-empty and "
                                            "unique among the sources",
                                            *s));
        }
        ds.name = *s;
      }
      const std::string where = fmt::format("data.source '{}'", ds.name);
      auto required = [&](std::string_view key, auto parse) -> std::optional<double> {
        const toml::node* n = st.get(key);
        if (!n) {
          Error(st.source(), fmt::format("{}.{}: required", where, key));
          return std::nullopt;
        }
        auto v = parse(*n, fmt::format("{}.{}", where, key));
        if (v && (!std::isfinite(*v) || !(*v > 0))) {
          Error(n->source(), fmt::format("{}.{} = {}: must be > 0", where, key, *v));
          return std::nullopt;
        }
        return v;
      };
      auto quantity = [&](const toml::node& n, const std::string& k) { return Quantity(n, k); };
      auto number = [&](const toml::node& n, const std::string& k) { return Number(n, k); };
      if (auto v = required("unique_tokens", quantity)) {
        if (*v > kMaxQuantity) {
          Error(st.get("unique_tokens")->source(),
                fmt::format("{}.unique_tokens = {}: must be <= {:g}", where, *v, kMaxQuantity));
        }
        ds.unique_tokens = *v;
        // Resolution errors name the source by its key (an implied-epochs limit).
        positions_[fmt::format("data.source.{}.unique_tokens", ds.name)] =
            st.get("unique_tokens")->source();
      }
      if (auto v = required("weight", number)) {
        if (*v > 1) {
          Error(st.get("weight")->source(),
                fmt::format("{}.weight = {}: must be in (0, 1]", where, *v));
        }
        ds.weight = *v;
        wsum += *v;
      }
      if (st.get("quality")) {
        if (auto v = required("quality", number)) {
          if (*v > 1e6) {
            Error(st.get("quality")->source(),
                  fmt::format("{}.quality = {}: must be <= 1e6", where, *v));
          }
          ds.quality = *v;
        }
      }
      spec.sources.push_back(ds);
    }
    if (!failed() && std::fabs(wsum - 1.0) > 1e-9) {
      Error(src->source(), fmt::format("data.source weights sum to {}: must sum to 1 "
                                       "(within 1e-9)",
                                       wsum));
    }
  }

  void LoadTraining(const toml::table& t, RunSpec& spec) {
    CheckKeys(t, "training.", AllowedKeys("training", {"dropout"}));
    std::vector<std::string_view> given;
    for (auto k : {"tokens", "epochs", "compute"}) {
      if (t.get(k)) given.push_back(k);
    }
    if (given.empty()) {
      Error(t.source(), "training: give exactly one of tokens | epochs | compute");
    } else if (given.size() > 1) {
      Error(t.get(given[1])->source(),
            fmt::format("training.{} and training.{} are both given: give exactly one of "
                        "tokens | epochs | compute",
                        given[0], given[1]));
    } else {
      Apply(spec, fmt::format("training.{}", given[0]), *t.get(given[0]));
    }
    ApplyOthers(t, "training", {"tokens", "epochs", "compute"}, spec);
    const toml::table* d = Table(t, "dropout", "training.dropout");
    if (!d) return;
    CheckKeys(*d, "training.dropout.", AllowedKeys("training.dropout"));
    const toml::node* sched = d->get("schedule");
    if (!sched) {
      Error(d->source(),
            "training.dropout.schedule: required (none | constant | step | linear | "
            "early)");
      return;
    }
    if (!Apply(spec, "training.dropout.schedule", *sched)) return;
    const DropoutSchedule s = spec.dropout.schedule;
    const std::string sname(ToString(s));
    auto key = [&](std::string_view k, bool used) {
      const toml::node* n = d->get(k);
      const std::string path = fmt::format("training.dropout.{}", k);
      if (n && !used) {
        Error(n->source(), fmt::format("{}: not used by schedule = \"{}\" (remove it, or choose "
                                       "a schedule that uses it)",
                                       path, sname));
        return;
      }
      if (n) Apply(spec, path, *n);
    };
    const bool none = s == DropoutSchedule::kNone;
    key("rate", !none);
    key("start_epoch", s == DropoutSchedule::kStep || s == DropoutSchedule::kLinear);
    key("end_epoch", s == DropoutSchedule::kLinear || s == DropoutSchedule::kEarly);
    if (!none && !d->get("rate")) {
      Error(d->source(),
            fmt::format("training.dropout.rate: required when schedule = \"{}\"", sname));
    }
  }

  void LoadModifiers(const toml::table& t, RunSpec& spec) {
    CheckKeys(t, "modifiers.", AllowedKeys("modifiers"));
    ApplyOthers(t, "modifiers", {}, spec);
  }

  void LoadOutput(const toml::table& t, OutputOptions& o) {
    CheckKeys(t, "output.", kOutputKeys);
    if (const toml::node* n = t.get("trajectory_points")) {
      auto i = n->as_integer();
      if (!i || i->get() < 2 || i->get() > kMaxTrajectoryPoints) {
        Error(n->source(), fmt::format("output.trajectory_points = {}: must be a whole number "
                                       "from 2 to {}",
                                       Describe(*n), kMaxTrajectoryPoints));
      } else {
        o.trajectory_points = static_cast<int>(i->get());
      }
    }
    if (const toml::node* n = t.get("formats")) {
      const toml::array* a = n->as_array();
      if (!a) {
        Error(n->source(), fmt::format("output.formats = {}: must be an array of \"csv\", "
                                       "\"json\", \"md\"",
                                       Describe(*n)));
      } else {
        o.csv = o.json = o.md = false;
        for (const toml::node& e : *a) {
          auto s = Choice(e, "output.formats", kFormatNames);
          if (!s) continue;
          bool& flag = *s == "csv" ? o.csv : *s == "json" ? o.json : o.md;
          if (flag) Error(e.source(), fmt::format("output.formats: \"{}\" is listed twice", *s));
          flag = true;
        }
      }
    }
    if (const toml::node* n = t.get("plots")) {
      if (auto b = n->as_boolean()) {
        o.plots = b->get();
      } else {
        Error(n->source(), fmt::format("output.plots = {}: must be true or false", Describe(*n)));
      }
    }
    if (const toml::node* n = t.get("intervals")) {
      if (auto b = n->as_boolean()) {
        o.intervals = b->get();
      } else {
        Error(n->source(),
              fmt::format("output.intervals = {}: must be true or false", Describe(*n)));
      }
    }
    if (const toml::node* n = t.get("heatmap")) {
      if (auto name = String(*n, "output.heatmap")) {
        if (auto e = PlottableColumnProblem(*name)) {
          Error(n->source(), fmt::format("output.heatmap = \"{}\": {}", *name, *e));
        } else if (!FindColumn(*name)->group.empty() && !o.intervals) {
          Error(n->source(), fmt::format("output.heatmap = \"{}\": a band column, written only "
                                         "with uncertainty bands: set output.intervals = true",
                                         *name));
        } else {
          o.heatmap = *name;
        }
      }
    }
  }

  // data.source.<name>.weight: setting it rescales the other sources, so a
  // second such key in the same point would undo the first.
  static bool IsWeightKey(std::string_view key) {
    const auto k = ParseSourceKey(key);
    return k && k->field == "weight";
  }

  // Why a data.source.<name>.* key cannot apply to `base`; nothing for other keys.
  static MaybeError MissingSource(const RunSpec& base, std::string_view key) {
    if (!ParseSourceKey(key)) return std::nullopt;
    return SourceKeyProblem(base, key);
  }

  // ConcreteKeys(base) as views for DidYouMean; the strings live in
  // concrete_keys_ until the next call.
  std::vector<std::string_view> ConcreteKeyViews(const RunSpec& base, bool numeric_only) {
    concrete_keys_ = ConcreteKeys(base, numeric_only);
    return {concrete_keys_.begin(), concrete_keys_.end()};
  }

  void LoadSweep(const toml::table& t, Scenario& sc) {
    CheckKeys(t, "sweep.", kSweepKeys);
    const toml::node* ax = t.get("axis");
    if (!ax) {
      Error(t.source(), "sweep: needs at least one [[sweep.axis]]");
      return;
    }
    const toml::array* arr = ax->as_array();
    if (!arr || !arr->is_array_of_tables() || arr->empty()) {
      Error(ax->source(), "sweep.axis: must be a non-empty array of tables ([[sweep.axis]])");
      return;
    }
    std::set<std::string> seen;
    bool training_axis = false;
    std::string weight_axis;  // the axis on a source's weight, if any
    double points = 1;
    for (const toml::node& e : *arr) {
      const toml::table& at = *e.as_table();
      CheckKeys(at, "sweep.axis.", kAxisKeys);
      const toml::node* kn = at.get("key");
      if (!kn) {
        Error(at.source(), "sweep.axis.key: required (the scenario key this axis sets)");
        continue;
      }
      auto key = String(*kn, "sweep.axis.key");
      if (!key) continue;
      const KeyInfo* info = FindKey(*key);
      const auto numeric = ConcreteKeyViews(sc.base, true);
      if (!info || info->kind == KeyKind::kChoice) {
        Error(kn->source(), fmt::format("sweep.axis.key = \"{}\": not a numeric scenario key{}",
                                        *key, DidYouMean(*key, numeric)));
        continue;
      }
      if (auto e = MissingSource(sc.base, *key)) {
        Error(kn->source(),
              fmt::format("sweep.axis.key = \"{}\": {}{}", *key, *e, DidYouMean(*key, numeric)));
        continue;
      }
      if (!seen.insert(*key).second) {
        Error(kn->source(),
              fmt::format("sweep.axis.key = \"{}\": two axes set the same key", *key));
        continue;
      }
      if (key->rfind("training.", 0) == 0 && key->find("dropout") == std::string::npos &&
          *key != "training.weight_decay") {
        if (training_axis) {
          Error(kn->source(), fmt::format("sweep.axis.key = \"{}\": another axis already sets the "
                                          "training length (tokens | epochs | compute)",
                                          *key));
          continue;
        }
        training_axis = true;
      }
      if (IsWeightKey(*key)) {
        if (!weight_axis.empty()) {
          Error(kn->source(), fmt::format("sweep.axis.key = \"{}\": another axis already sets a "
                                          "source's weight ({}); set one weight, the others "
                                          "follow in proportion",
                                          *key, weight_axis));
          continue;
        }
        weight_axis = *key;
      }
      SweepAxis axis;
      axis.key = *key;
      // The key's setter, bound once: every point and value below calls it.
      Expected<KeySetter> set = BindNumber(sc.base, *key);
      if (!set) {
        Error(kn->source(), fmt::format("sweep.axis.key = \"{}\": {}", *key, set.error()));
        continue;
      }
      axis.set = std::move(set).value();
      const toml::node* vals = at.get("values");
      const toml::node* range = at.get("range");
      if ((vals != nullptr) == (range != nullptr)) {
        Error(at.source(),
              fmt::format("sweep axis '{}': give exactly one of values | range", *key));
        continue;
      }
      if (vals) {
        const toml::array* va = vals->as_array();
        if (!va || va->empty()) {
          Error(vals->source(),
                fmt::format("sweep axis '{}': values must be a non-empty array", *key));
          continue;
        }
        for (const toml::node& v : *va) {
          if (auto x = info->kind == KeyKind::kQuantity ? Quantity(v, *key) : Number(v, *key)) {
            if (CheckAxisValue(sc.base, axis, *x, v.source())) axis.values.push_back(*x);
          }
        }
      } else {
        LoadRange(*range, sc.base, axis);
      }
      if (!axis.values.empty()) {
        points *= static_cast<double>(axis.values.size());
        sc.sweep.push_back(std::move(axis));
      }
    }
    if (points > kMaxSweepPoints) {
      Error(ax->source(), fmt::format("sweep: the grid has {:g} points; at most {:g} are "
                                      "accepted (split it into several scenario files)",
                                      points, kMaxSweepPoints));
    }
  }

  void LoadRange(const toml::node& rn, const RunSpec& base, SweepAxis& axis) {
    const std::string& key = axis.key;
    const toml::table* rt = rn.as_table();
    if (!rt) {
      Error(rn.source(), fmt::format("sweep axis '{}': range must be a table {{ from, to, steps, "
                                     "scale }}",
                                     key));
      return;
    }
    CheckKeys(*rt, "sweep.axis.range.", kRangeKeys);
    const toml::node* f = rt->get("from");
    const toml::node* to = rt->get("to");
    const toml::node* st = rt->get("steps");
    if (!f || !to || !st) {
      Error(rn.source(), fmt::format("sweep axis '{}': range needs from, to and steps", key));
      return;
    }
    auto from = Quantity(*f, "range.from");
    auto upto = Quantity(*to, "range.to");
    auto steps = st->as_integer();
    if (!steps || steps->get() < 1 || steps->get() > 100000000) {
      Error(st->source(), fmt::format("sweep axis '{}': range.steps = {}: must be a whole number "
                                      "from 1 to 1e8",
                                      key, Describe(*st)));
      return;
    }
    std::string scale = "linear";
    if (const toml::node* sn = rt->get("scale")) {
      auto s = Choice(*sn, "range.scale", kScaleNames);
      if (!s) return;
      scale = *s;
    }
    if (!from || !upto) return;
    if (!std::isfinite(*from) || !std::isfinite(*upto)) {
      Error(rn.source(), fmt::format("sweep axis '{}': range ends must be finite", key));
      return;
    }
    if (scale == "log" && (!(*from > 0) || !(*upto > 0))) {
      Error(rn.source(), fmt::format("sweep axis '{}': a log range needs from > 0 and to > 0 "
                                     "(got {} and {})",
                                     key, *from, *upto));
      return;
    }
    const int64_t n = steps->get();
    if (!CheckAxisValue(base, axis, *from, f->source()) ||
        !CheckAxisValue(base, axis, *upto, to->source())) {
      return;
    }
    axis.values.reserve(static_cast<size_t>(n));
    const bool is_log = scale == "log";
    const double span =
        is_log ? std::fabs(std::log(*upto) - std::log(*from)) : std::fabs(*upto - *from);
    const double spacing = n == 1 ? 0.0 : span / static_cast<double>(n - 1);
    for (int64_t i = 0; i < n; ++i) {
      const double t = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
      double v = is_log ? std::exp(std::log(*from) + t * (std::log(*upto) - std::log(*from)))
                        : *from + t * (*upto - *from);
      if (i == 0) {
        v = *from;
      } else if (i == n - 1) {
        v = *upto;
      } else if (n <= kMaxSnappedValues) {
        // The grid's arithmetic is good to ~1e-14 of the scale; within that (and
        // far inside the grid's spacing) take the shortest decimal.
        const double scale_of_v =
            is_log ? std::fabs(v) : std::max({std::fabs(v), std::fabs(*from), std::fabs(*upto)});
        const double step = is_log ? std::fabs(v) * spacing : spacing;
        v = ShortestWithin(v, std::min(1e-13 * scale_of_v, 1e-3 * step));
      }
      axis.values.push_back(v);
    }
  }

  // The decimal with the fewest significant digits within `tol` of v: the
  // grid's arithmetic leaves 0.19999999999999996 or 999999999999.999 where
  // the user meant 0.2 or 1e12. Bisection on the digit count (17 always
  // reads back exactly), so a value costs ~5 conversions; axes longer than
  // kMaxSnappedValues keep their computed values, nobody reads them as decimals.
  static constexpr int64_t kMaxSnappedValues = 100000;
  static double ShortestWithin(double v, double tol) {
    auto rounded = [v](int digits) {
      char buf[40];
      const auto r = fmt::format_to_n(buf, sizeof buf, "{:.{}g}", v, digits);
      double c = v;
      std::from_chars(buf, r.out, c);
      return c;
    };
    int lo = 1, hi = 17;  // rounded(hi) is within tol
    while (lo < hi) {
      const int mid = (lo + hi) / 2;
      if (std::fabs(rounded(mid) - v) <= tol) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return rounded(hi);
  }

  // A value an axis sets must be valid on the base scenario on its own.
  bool CheckAxisValue(const RunSpec& base, const SweepAxis& axis, double v,
                      const toml::source_region& where) {
    const std::string& key = axis.key;
    RunSpec spec = base;
    if (auto e = axis.set(spec, v)) {
      Error(where, *e);
      return false;
    }
    Expected<Run> r = Resolve(spec);
    if (!r && r.error().find(key) != std::string::npos) {
      Error(where, fmt::format("sweep axis value: {}", r.error()));
      return false;
    }
    return true;
  }

  void LoadCompare(const toml::node& n, Scenario& sc) {
    const toml::array* arr = n.as_array();
    if (!arr || !arr->is_array_of_tables() || arr->empty()) {
      Error(n.source(), "compare: must be a non-empty array of tables ([[compare]])");
      return;
    }
    if (arr->size() > kMaxCompareVariants) {
      Error((*arr)[kMaxCompareVariants].source(),
            fmt::format("{} [[compare]] variants: at most {} are accepted (each is a full "
                        "evaluation; split the file)",
                        arr->size(), kMaxCompareVariants));
      return;
    }
    std::set<std::string> names;
    std::vector<std::string_view> keys = ConcreteKeyViews(sc.base, false);
    keys.insert(keys.begin(), "name");
    for (const toml::node& e : *arr) {
      const toml::table& ct = *e.as_table();
      CompareVariant v;
      v.spec = sc.base;
      const toml::node* name = ct.get("name");
      if (!name) {
        Error(ct.source(), "compare.name: required (how this variant is labelled)");
        continue;
      }
      auto s = String(*name, "compare.name");
      if (!s) continue;
      if (s->empty() || !names.insert(*s).second) {
        Error(name->source(),
              fmt::format("compare.name = \"{}\": must be non-empty and unique", *s));
        continue;
      }
      v.name = *s;
      bool ok = true;
      std::string weight_key;  // the source weight this variant sets, if any
      for (auto&& [k, val] : ct) {
        if (k.str() == "name") continue;
        if (IsWeightKey(k.str())) {
          if (!weight_key.empty()) {
            Error(k.source(), fmt::format("compare '{}': sets two sources' weights ({} and {}); "
                                          "set one, the others follow in proportion",
                                          v.name, weight_key, k.str()));
            ok = false;
            continue;
          }
          weight_key = std::string(k.str());
        }
        if (val.is_table()) {
          Error(k.source(), fmt::format("compare '{}': write keys quoted and dotted, e.g. "
                                        "\"training.dropout.rate\" = 0.1 (got a table '{}')",
                                        v.name, k.str()));
          ok = false;
          continue;
        }
        if (!FindKey(k.str())) {
          Error(k.source(), fmt::format("compare '{}': unknown key '{}'{}", v.name, k.str(),
                                        DidYouMean(k.str(), keys)));
          ok = false;
          continue;
        }
        if (auto e = MissingSource(sc.base, k.str())) {
          Error(k.source(),
                fmt::format("compare '{}': {}{}", v.name, *e, DidYouMean(k.str(), keys)));
          ok = false;
          continue;
        }
        ok = Apply(v.spec, k.str(), val) && ok;
      }
      if (!ok) continue;
      Expected<Run> r = Resolve(v.spec);
      if (!r) {
        Error(Where(r.error_key(), ct.source()),
              fmt::format("compare '{}': {}", v.name, r.error()));
        continue;
      }
      const Summary summary = Evaluate(*r);
      if (auto bad = NonFiniteResult(summary)) {
        Error(ct.source(), fmt::format("compare '{}': {}", v.name, NonFiniteMessage(*bad)));
        continue;
      }
      if (auto e = CheckPlausible(v.spec, *r, summary, options_.allow_implausible)) {
        Error(Where(e->key, ct.source()), fmt::format("compare '{}': {}", v.name, e->message));
        continue;
      }
      sc.compare.push_back(std::move(v));
    }
  }

  void Load(const toml::table& root, Scenario& sc) {
    CheckKeys(root, "", kTopKeys);
    const toml::table* s = Table(root, "scenario", "scenario");
    if (!s) {
      if (!root.get("scenario")) Error(root.source(), "[scenario]: required (with a name)");
    } else {
      CheckKeys(*s, "scenario.", kScenarioKeys);
      const toml::node* name = s->get("name");
      if (!name) {
        Error(s->source(), "scenario.name: required ([a-z0-9._-]+; names the results folder)");
      } else if (auto n = String(*name, "scenario.name")) {
        const bool chars_ok =
            !n->empty() && n->size() <= kMaxNameLength &&
            n->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos &&
            *n != "." && *n != "..";
        if (!chars_ok) {
          Error(name->source(), fmt::format("scenario.name = \"{}\": must be 1 to {} characters "
                                            "of a-z 0-9 . _ - (it names the results folder)",
                                            *n, kMaxNameLength));
        }
        sc.name = *n;
      }
      if (const toml::node* d = s->get("description")) {
        if (auto t = String(*d, "scenario.description")) sc.description = *t;
      }
      // The file's own --allow-implausible (a scenario that means it, e.g.
      // parameter sharing: fewer distinct than active parameters).
      if (const toml::node* a = s->get("allow_implausible")) {
        if (auto b = a->as_boolean()) {
          if (b->get()) options_.allow_implausible = true;
        } else {
          Error(a->source(), fmt::format("scenario.allow_implausible = {}: must be true or false",
                                         Describe(*a)));
        }
      }
    }
    RunSpec& spec = sc.base;
    spec.law = MakeLaw(kDefaultLawPreset);
    if (const toml::table* t = Table(root, "law", "law")) {
      LoadLaw(*t, spec);
      if (const toml::node* s = t->get("source")) {
        if (auto text = String(*s, "law.source")) sc.law_source = *text;
      }
    }
    if (const toml::table* t = Table(root, "model", "model")) {
      LoadModel(*t, spec);
    } else if (!root.get("model")) {
      Error(root.source(), "[model]: required (with params)");
    }
    if (const toml::table* t = Table(root, "data", "data")) {
      LoadData(*t, spec);
    } else if (!root.get("data")) {
      Error(root.source(), "[data]: required (with unique_tokens, or [[data.source]])");
    }
    if (const toml::table* t = Table(root, "training", "training")) {
      LoadTraining(*t, spec);
    } else if (!root.get("training")) {
      Error(root.source(), "[training]: required (with tokens, epochs or compute)");
    }
    if (const toml::table* t = Table(root, "modifiers", "modifiers")) LoadModifiers(*t, spec);
    if (const toml::table* t = Table(root, "output", "output")) LoadOutput(*t, sc.output);
    if (failed()) return;

    Expected<Run> r = Resolve(spec);
    if (!r) {
      Error(Where(r.error_key(), root.source()), r.error());
      return;
    }
    const Summary summary = Evaluate(*r);
    if (auto bad = NonFiniteResult(summary)) {
      Error(root.source(), NonFiniteMessage(*bad));
      return;
    }
    if (auto e = CheckPlausible(spec, *r, summary, options_.allow_implausible)) {
      Error(Where(e->key, root.source()), e->message);
      return;
    }
    if (const toml::table* t = Table(root, "sweep", "sweep")) LoadSweep(*t, sc);
    if (const toml::node* c = root.get("compare")) LoadCompare(*c, sc);
  }

 private:
  std::string path_;
  LoadResult& out_;
  LoadOptions options_;
  std::map<std::string, toml::source_region> positions_;
  std::vector<std::string> concrete_keys_;  // what ConcreteKeyViews() points into
};

}  // namespace

std::string LoadResult::FormatErrors() const { return FormatAll(errors, source); }

LoadResult LoadScenarioText(std::string_view text, const std::string& path,
                            std::span<const std::string> sets, const LoadOptions& options) {
  LoadResult out;
  out.source = std::string(text);
  // Before toml++ sees it (io/toml_guard.h: its dotted keys recurse).
  if (std::optional<Diagnostic> d = CheckTomlText(out.source, path)) {
    out.errors.push_back(std::move(*d));
    return out;
  }
  Loader loader(path, out, options);
  toml::table root;
  try {
    root = toml::parse(out.source, path);
  } catch (const toml::parse_error& e) {
    loader.Error(e.source(), fmt::format("malformed TOML: {}", e.description()));
    return out;
  }
  out.errors = ApplySets(root, sets, path);
  if (!out.errors.empty()) return out;
  Scenario sc;
  loader.Load(root, sc);
  if (out.errors.empty()) out.scenario = std::move(sc);
  return out;
}

LoadResult LoadScenarioStream(std::istream& in, const std::string& path,
                              std::span<const std::string> sets, const LoadOptions& options) {
  // Read at most one byte past the guard's limit: /dev/zero or a huge file
  // stops here, not when memory runs out.
  const size_t max = TomlLimits{}.max_bytes;
  std::string text;
  std::vector<char> chunk(size_t{64} * 1024);
  while (text.size() <= max && in) {
    in.read(chunk.data(),
            static_cast<std::streamsize>(std::min(chunk.size(), max + 1 - text.size())));
    text.append(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) {
    LoadResult out;
    out.errors.push_back(Diagnostic{path, 0, 0, "cannot read the file (is it a directory?)"});
    return out;
  }
  if (text.size() > max) {
    LoadResult out;
    out.errors.push_back(Diagnostic{
        path, 0, 0,
        fmt::format("the file is over {} bytes ({} MiB): a scenario is a few hundred bytes", max,
                    max >> 20)});
    return out;
  }
  return LoadScenarioText(text, path, sets, options);
}

LoadResult LoadScenarioFile(const std::string& path, std::span<const std::string> sets,
                            const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    LoadResult out;
    out.errors.push_back(Diagnostic{path, 0, 0, "cannot read the file: it is a folder"});
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult out;
    out.errors.push_back(
        Diagnostic{path, 0, 0, fmt::format("cannot read the file: {}", std::strerror(errno))});
    return out;
  }
  return LoadScenarioStream(in, path, sets, options);
}

}  // namespace repsim::io
