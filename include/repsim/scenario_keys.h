// repsim: the scenario-key registry — one row per key a scenario may set.
//
// A row (KeyInfo) holds everything repsim knows about one key: its dotted
// path, kind, unit, help, allowed range, how to set and read it on a RunSpec,
// its value in a resolved Run, the input column that echoes it and the row
// report.md gives it. The loader, `--set`, sweep axes, [[compare]] variants,
// Validate(Run), the input columns (io/columns.h), report.md, Python's
// repsim.keys() and docs/SCENARIO.md's table of keys are all built from these
// rows (scenario_keys.cpp), so that adding a key is one row there plus the
// field it sets (docs/MAINTAINING.md "Adding a scenario key").
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/run.h"
#include "repsim/scenario.h"
#include "repsim/status.h"

namespace repsim {

enum class KeyKind {
  kNumber,    // any real number (ranges checked on resolution)
  kQuantity,  // tokens / params / FLOPs: number or "25B"-style string
  kChoice,    // one of `choices`
};

// The values a key accepts: lo..hi, each end open or closed. Its text is
// what error messages say: "in [0, 1]", "in [0, 1)", "> 0 and <= 1e6".
struct KeyRange {
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;

  bool Contains(double v) const;  // false for NaN and infinities
  std::string Text() const;
};

// How report.md's "Where the numbers come from" table lists a key: its
// value and, at the default, where the default comes from (else "set in the
// scenario").
struct ReportTerm {
  std::string_view at_default;
};

struct KeyInfo {
  std::string path;  // e.g. "training.epochs"; data.source.<name>.<field> for a mixture's
  KeyKind kind = KeyKind::kNumber;
  std::span<const std::string_view> choices;  // kChoice (and model.params' names)
  std::string_view help;                      // one line
  std::string_view unit;                      // "" for pure numbers and names
  std::optional<KeyRange> range;              // checked by Validate(Run) on `resolved`

  // On a RunSpec. `path` is the key as written (a source key names its source).
  std::function<MaybeError(RunSpec&, std::string_view path, double)> set_number;
  std::function<MaybeError(RunSpec&, std::string_view path, std::string_view)> set_name;
  std::function<std::optional<double>(const RunSpec&, std::string_view path)> get;

  // In a resolved Run: the value in force (what the input column writes and
  // the range is checked on), or the name of a kChoice key.
  std::function<double(const Run&)> resolved;
  std::function<std::string_view(const Run&)> resolved_name;
  // A check beyond the range, on the resolved run (e.g. end_epoch after start_epoch).
  std::function<MaybeError(const Run&)> check;

  // The input column echoing the key in every output ("" none), its meaning,
  // and the key whose column it follows when not the previous row's (so that
  // the shipped column order stays).
  std::string_view column;
  std::string_view column_meaning;
  std::string_view column_after;
  // report.md's row for it (none: not listed), and the key it follows there.
  std::optional<ReportTerm> report;
  std::string_view report_after;
};

// Every key, in SCENARIO.md order: law.preset, the law's constants (law.h
// LawConstants()), model, data, training, dropout, modifiers, then the
// data.source.<name>.* patterns.
std::span<const KeyInfo> SettableKeys();
// The row of `path`; a data.source.<name>.<field> key finds its pattern.
const KeyInfo* FindKey(std::string_view path);
// The rows of one section ("modifiers", "training.dropout"): keys directly under it.
std::vector<const KeyInfo*> SectionKeys(std::string_view section);
// The rows that have `column` (the input columns), in output order.
std::vector<const KeyInfo*> ColumnKeys();
// The rows that have a `report` term, in report.md's order.
std::vector<const KeyInfo*> ReportKeys();

// Sets a numeric key (kNumber or kQuantity). Error: the key is unknown, not
// numeric, or the value is out of its range.
MaybeError SetNumber(RunSpec& spec, std::string_view path, double value);
// Sets a kChoice key, or model.params = "compute_optimal".
MaybeError SetChoice(RunSpec& spec, std::string_view path, std::string_view value);
// The current value of a numeric key, for writing resolved inputs back.
std::optional<double> GetNumber(const RunSpec& spec, std::string_view path);

// A numeric key's setter bound once (a sweep axis): no lookup by name per
// call. Error: what SetNumber would say for any value (unknown key, a key
// that takes names, a source the spec does not have).
Expected<KeySetter> BindNumber(const RunSpec& spec, std::string_view path);

// One source of a mixture as a key: data.source.<name>.<field>, field one of
// unique_tokens, weight, quality (SettableKeys() lists them with "<name>").
// Setting a weight rescales the other sources in proportion.
struct SourceKey {
  std::string_view name, field;
};
// "data.source.web.weight" -> {"web", "weight"}; nothing when not of that shape.
std::optional<SourceKey> ParseSourceKey(std::string_view path);
// Why the source key `path` cannot be set on `spec` (not a mixture, or no
// source of that name), without the key itself; nothing when it can.
MaybeError SourceKeyProblem(const RunSpec& spec, std::string_view path);
// SettableKeys() as a user writes them for `spec`: the data.source.<name>.*
// patterns spelt out once per source of a mixture, dropped otherwise.
std::vector<std::string> ConcreteKeys(const RunSpec& spec, bool numeric_only);

}  // namespace repsim
