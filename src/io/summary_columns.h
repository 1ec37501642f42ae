// The columns of summary.csv, compare.csv and sweep.csv: every quantity of
// MODEL.md §5, then the resolved inputs, in one list so the files agree.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "repsim/engine.h"
#include "repsim/run.h"

namespace repsim::io {

struct SummaryColumn {
  std::string_view name;
  bool numeric;
  // The cell: a round-trip number, "" for an unsolved optional, or a name.
  std::function<std::string(const Run&, const Summary&)> cell;
  std::string_view meaning;  // one line, for the README and report.md
};

std::span<const SummaryColumn> SummaryColumns();

}  // namespace repsim::io
