// A scenario's results in words, for people: the phrases and cells the
// terminal table (terminal_summary.h), report.md (report_markdown.h) and
// summary.json (results_json.h) share, written once here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/columns.h"
#include "repsim/engine.h"
#include "repsim/run.h"
#include "repsim/scenario_results.h"

namespace repsim::io {

// A dropout schedule in words, with its positions as points of the run:
// "dropout 0.1 from the first repeat (token 2e+11 of 1.4e+12)".
std::string DropoutInWords(const Run& run);
// ", weight decay 1 (overfitting x0.3)" when not the default, else "".
std::string WeightDecayInWords(const Run& run);
// Where each of the law's constants comes from (the scenario's [law] source
// for overridden ones, else the preset's paper).
std::string LawProvenance(const ScenarioResults& r);
// A column's cell for people: 6 significant digits, "not found" for no value.
std::string ShortCell(const Column& c, const Run& run, const Summary& s);
// The bands of `s` for people, one line per output (none without bands).
std::vector<std::string> BandLines(const Summary& s);
// What each band source is, for people.
std::vector<std::string> BandSourceLines(const Summary& s);
// The loss band of a comparison row, "[lo, hi]" ("" without bands).
std::string LossBand(const Summary& s);

// The columns of the comparison tables (terminal and report.md), after rank and variant.
inline constexpr std::string_view kCompareColumns[] = {"loss_repeated", "delta", "delta_pct",
                                                       "effective_fraction"};

}  // namespace repsim::io
