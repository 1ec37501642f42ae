// The output columns: every quantity of MODEL.md §5 and every resolved input,
// each defined once — name, unit, meaning, accessor — in columns.cpp.
// summary.csv/.json, compare.csv, sweep.csv (its fast row writer too),
// report.md, the table `repsim run` prints, `repsim columns` and docs/SCENARIO.md's
// table are all built from this one list, so they cannot disagree.
//
// Adding a column is one entry in columns.cpp (plus the Summary or Run field
// it reads); docs/SCENARIO.md's table is then refreshed with `make doc-tables`
// (a test fails while it is stale).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/table.h"
#include "repsim/engine.h"
#include "repsim/law.h"
#include "repsim/run.h"
#include "repsim/scenario_keys.h"
#include "repsim/status.h"

namespace repsim::io {

enum class ColumnType {
  kNumber,    // always a number
  kOptional,  // a number or nothing (no solution, or not of this law): "" in CSV, null in JSON
  kName,      // an identifier (an enum's name): never empty, never quoted
  kText,      // free text: quoted in CSV when needed, a string in JSON
};

enum class ColumnRole {
  kResult,  // a quantity of MODEL.md §5 (report.md's summary table lists these)
  kInput,   // a resolved input, so that a row reproduces itself
};

using RunRef = const Run&;
using SummaryRef = const Summary&;

struct Column {
  std::string name;
  std::string_view unit;     // "" for pure numbers and names
  std::string_view meaning;  // one line: the terminal, report.md, docs/SCENARIO.md
  ColumnRole role = ColumnRole::kResult;
  ColumnType type = ColumnType::kNumber;
  // The accessor of `type` (exactly one is set; a law constant's column has
  // `law_constant` instead: empty when the run's law form lacks it; a
  // scenario key's input column has `key`, its registry row: scenario_keys.h).
  double (*number)(RunRef, SummaryRef) = nullptr;
  std::optional<double> (*optional)(RunRef, SummaryRef) = nullptr;
  std::string_view (*name_of)(RunRef, SummaryRef) = nullptr;
  std::string (*text)(RunRef, SummaryRef) = nullptr;
  const LawConstant* law_constant = nullptr;
  const KeyInfo* key = nullptr;
  // `repsim run` prints the column when this is set and returns true.
  bool (*in_terminal)(RunRef, SummaryRef) = nullptr;
  // "": part of every output. Otherwise the column is written only by outputs
  // that ask for this group (SelectColumns), e.g. columns behind a flag.
  std::string_view group;

  bool numeric() const { return type == ColumnType::kNumber || type == ColumnType::kOptional; }
  // kNumber, kOptional: the value (empty: no value).
  std::optional<double> Value(RunRef run, SummaryRef summary) const {
    if (type == ColumnType::kNumber) return Number(run, summary);
    if (optional) return optional(run, summary);
    if (law_constant && HasConstant(run.law, *law_constant)) return run.law.*law_constant->field;
    return std::nullopt;
  }
  // kNumber: the value.
  double Number(RunRef run, SummaryRef summary) const {
    return number ? number(run, summary) : key->resolved(run);
  }
  // kName: the name.
  std::string_view Name(RunRef run, SummaryRef summary) const {
    return name_of ? name_of(run, summary) : key->resolved_name(run);
  }
  // kName, kText: the text.
  std::string Text(RunRef run, SummaryRef summary) const;
  // The cell as files hold it: the shortest round-trip number, "" for no
  // value, or the text (unescaped).
  std::string Cell(RunRef run, SummaryRef summary) const;
};

// Every column, in output order: results, then inputs.
std::span<const Column> AllColumns();
// The column called `name`, or nullptr.
const Column* FindColumn(std::string_view name);

// The columns one output writes, in output order.
using ColumnSet = std::vector<const Column*>;
// The columns of every output (group "") and those of `groups`.
ColumnSet SelectColumns(std::span<const std::string_view> groups = {});
// SelectColumns() of no group, made once.
const ColumnSet& DefaultColumns();
// The group of the uncertainty-band columns (<output>_lo, <output>_hi,
// band_source), written only with `run --intervals` / [output] intervals.
inline constexpr std::string_view kIntervalsGroup = "--intervals";
// The group of the weight-decay columns (weight_decay.h): in the outputs of
// a scenario whose runs set training.weight_decay (OutputColumns below).
inline constexpr std::string_view kWeightDecayGroup = "weight_decay";
// DefaultColumns(), plus the band columns when `intervals`.
const ColumnSet& OutputColumns(bool intervals);
// The same, plus the weight-decay columns when `weight_decay`.
const ColumnSet& OutputColumns(bool intervals, bool weight_decay);

// Why `name` cannot be mapped by the sweep plot ([output] heatmap): not a
// column (with a suggestion for a misspelt one) or not a numeric one;
// nothing when it can.
MaybeError PlottableColumnProblem(std::string_view name);

// The columns for people: column, unit, meaning (`repsim columns`).
Table ColumnsTable();
// docs/SCENARIO.md's table of the columns: ColumnsTable() in Markdown, names as code.
std::string ColumnsMarkdown();

// The scenario keys for people: key, kind, unit, range, meaning, from the
// registry (scenario_keys.h; `repsim columns --keys`).
Table KeysTable();
// docs/SCENARIO.md's table of the keys: KeysTable() in Markdown (`make
// doc-tables` puts it there; a test fails while it is stale).
std::string KeysMarkdown();

}  // namespace repsim::io
