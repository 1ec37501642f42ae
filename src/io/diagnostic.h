// Diagnostics that point at the source: "file:line:col: message", the line,
// and a caret under the column (STYLE.md, after ninja's lexer errors).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace repsim::io {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the error is about the whole file
  int column = 0;  // 1-based, in the line (or in `text`)
  std::string message;
  // Set when the offending text is not a line of the file but a command-line
  // argument ("--set training.epochs=-3"): shown, with the caret at `column`,
  // in place of the file's line. `line` is then 0.
  std::string text = {};
};

// The text of a diagnostic, with the offending line of `source` (or its
// `text`) and a caret under the column.
std::string Format(const Diagnostic& d, std::string_view source);
// The same with `source` already split (SplitLines): formatting many
// diagnostics of one text splits it once, not once per diagnostic.
std::string Format(const Diagnostic& d, const std::vector<std::string_view>& lines);

// At most this many diagnostics are reported for one input (a text with
// 30,000 errors is reported as 20 and "and 29,980 more").
inline constexpr size_t kMaxDiagnosticsShown = 20;

// The first `max_shown` diagnostics formatted (source split once), then
// "... and N more errors" when there were more. Linear in the text.
std::string FormatAll(const std::vector<Diagnostic>& ds, std::string_view source,
                      size_t max_shown = kMaxDiagnosticsShown);
// "and 29,980 more errors (only the first 20 are shown)".
std::string MoreErrorsNote(size_t more, size_t shown);

// Splits text into lines (without their newlines).
std::vector<std::string_view> SplitLines(std::string_view text);

}  // namespace repsim::io
