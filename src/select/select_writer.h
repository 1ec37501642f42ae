// `repsim select` out: selected.csv, summary.json, report.md and the lines
// printed on the terminal (pure functions of the values, tested directly).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io/fields.h"
#include "repsim/select.h"

namespace repsim::io {

// Everything one `repsim select` run knows.
struct SelectRun {
  std::string input;         // the embeddings file as given
  std::string input_format;  // Embeddings::format()
  size_t rows = 0, dim = 0;
  bool normalized = true;
  SelectOptions options;                          // as run (clusters resolved)
  bool clusters_defaulted = false;                // clusters came from DefaultClusterCount
  std::optional<double> fraction;                 // when --fraction was given
  const std::vector<std::string>* ids = nullptr;  // CSV ids, or null/empty
  Selection selection;
  std::optional<SftExposure> sft;  // when --epochs and --tokens-per-example were given
};

// row,id,cluster,distance_to_nearest_selected — one line per selected row,
// ascending row. `id` is the CSV id, or the row index again for .npy input.
std::string SelectedCsv(const SelectRun& r);
std::string SelectSummaryJson(const SelectRun& r);
// The field tables (io/fields.h) of summary.json's coverage numbers (the
// selection's at the top level, the random draw's as "random") and of its
// "sft" object.
FieldTable<Coverage> CoverageFields();
FieldTable<SftExposure> SftExposureFields();
std::string SelectReportMarkdown(const SelectRun& r);
std::string SelectTerminalSummary(const SelectRun& r);

}  // namespace repsim::io
