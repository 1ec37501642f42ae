// Lean sweep files: sweep.csv keeps the axis values, `status` and the columns
// that vary over the grid; the columns that are the same at every point (the
// law's constants, the modifiers, the model size of an epochs x data sweep...)
// are written once, with their values, to sweep.meta.json. A row plus that
// file is the wide row (`repsim run --columns all` writes the wide file).
//
// Which columns vary is found by evaluating probe points spread over the
// grid (every value of every axis, with the other axes at their first value,
// plus points evenly spaced over the whole grid); the sweep then checks every
// row against the constants, and a column that differs anywhere is moved to
// the varying ones and the sweep is written again. So the file is right for
// any grid; the probes only make the rewrite rare. An invalid point's cells
// are empty in either file: the constants hold for every row whose status is
// not "invalid: ...".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/columns.h"
#include "repsim/scenario.h"
#include "repsim/status.h"

namespace repsim::io {

inline constexpr const char* kSweepMetaFile = "sweep.meta.json";

struct ConstantColumn {
  const Column* column = nullptr;
  std::optional<double> number;  // numeric columns: the value (empty: no value)
  std::string text;              // name and text columns
  std::string cell;              // as sweep.csv would hold it (unescaped)

  // The column has this value at a resolved point.
  bool Matches(const Run& run, const Summary& summary) const;
};

struct SweepLayout {
  ColumnSet varying;                      // written per row, in OutputColumns() order
  std::vector<ConstantColumn> constants;  // in sweep.meta.json, in OutputColumns() order
  bool intervals = false;                 // output.intervals: the band columns, always per row
};

// `wide`: every column per row, nothing in sweep.meta.json.
SweepLayout PlanSweepLayout(const Scenario& scenario, bool wide);

// Moves constants[i] for every i in `violated` to the varying columns.
void MakeVarying(SweepLayout* layout, const std::vector<size_t>& violated);

// sweep.meta.json: the scenario, the varying and the constant columns.
std::string SweepMetaJson(const Scenario& scenario, const SweepLayout& layout);

// The constant columns of a sweep.meta.json this version wrote: (name, cell).
// Error naming the file and line when it is not one.
Expected<std::vector<std::pair<std::string, std::string>>> ParseSweepMetaConstants(
    std::string_view text, const std::string& path);

}  // namespace repsim::io
