// Reading measured training runs from CSV, for `repsim fit`.
//
// The header names the columns; they may come in any order and other columns
// are ignored. Needed: params, tokens, loss, and unique_tokens when
// `need_unique_tokens`. Fields may be quoted (RFC 4180); spaces around a
// field are ignored; blank lines are skipped; CRLF line ends and a UTF-8 BOM
// are accepted.
//
// Every error names the place and the value: `runs.csv:7: column 'loss' =
// 'abc': not a number`. Rejected: a missing file, an empty file, a missing or
// duplicated column, a row with a different number of fields than the
// header, a field that is empty, not a number, NaN, infinite or <= 0, and a
// file with a header but no runs.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/fit.h"
#include "repsim/status.h"
#include "repsim/validate.h"

namespace repsim::io {

// One RFC 4180 record: the 1-based line it starts on and its fields, unquoted
// (unquoted fields trimmed of spaces).
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};
// The whole file at `path`; errors: a directory, cannot open, read error.
Expected<std::string> ReadCsvText(const std::string& path);
// The records of CSV text; blank lines give none. Errors name `name`:line.
Expected<std::vector<CsvRecord>> SplitCsvRecords(std::string_view text, std::string_view name);

// Parses CSV text; `name` is the file name used in messages.
Expected<std::vector<FitRun>> ParseRunsCsv(std::string_view text, std::string_view name,
                                           bool need_unique_tokens);

// Reads and parses the file at `path`.
Expected<std::vector<FitRun>> ReadRunsCsv(const std::string& path, bool need_unique_tokens);

// For `repsim validate` and `repsim fit --form overfit`: params, tokens,
// unique_tokens, loss and the text of every column named in `groups` (any
// text, empty allowed). A group column missing from the header is an error.
Expected<std::vector<MeasuredRun>> ParseMeasuredRunsCsv(std::string_view text,
                                                        std::string_view name,
                                                        std::span<const std::string> groups);
Expected<std::vector<MeasuredRun>> ReadMeasuredRunsCsv(const std::string& path,
                                                       std::span<const std::string> groups);

}  // namespace repsim::io
