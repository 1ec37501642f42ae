// Reading CSV lines back (sweep.csv, for report.md's digest and `repsim merge`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace repsim::io {

// Splits one CSV line (no newline) into cells, undoing RFC 4180 quoting.
std::vector<std::string> SplitCsvLine(std::string_view line);

// Cell `index` of a CSV line as it stands (quotes kept; "" past the end).
std::string_view CsvCellAt(std::string_view line, size_t index);

}  // namespace repsim::io
