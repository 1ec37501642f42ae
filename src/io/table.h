// A small table type shared by every command: aligned text for people,
// CSV / JSON / Markdown for programs. Cells are strings already formatted.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace repsim::io {

enum class TableFormat { kText, kCsv, kJson, kMarkdown };
// "table"/"text", "csv", "json", "md"/"markdown".
std::optional<TableFormat> TableFormatFromString(std::string_view name);

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  // Columns whose cells are numbers (JSON writes them unquoted; text aligns right).
  std::vector<bool> numeric;

  void AddColumn(std::string name, bool is_numeric = true);
  void AddRow(std::vector<std::string> cells);
};

// Shortest text that reads back to exactly `v` ({} of fmt); "nan"/"inf" never
// appear in output of valid runs, but are written as such if asked.
std::string Num(double v);
// For people: 6 significant digits.
std::string Short(double v);
// Escapes a CSV cell when needed (RFC 4180).
std::string CsvCell(std::string_view s);
// A JSON string literal, quoted and escaped.
std::string JsonString(std::string_view s);

// The width text output is made to fit: kTerminalWidth unless set
// (`--wide`: 0, as wide as the content). Process-wide, set once by main().
inline constexpr size_t kTerminalWidth = 100;
size_t TextWidth();
void SetTextWidth(size_t width);

// Aligned columns, header underlined. With max_width > 0 and lines wider than
// that, text columns are wrapped at spaces (the widest first, none narrower
// than 20 characters or its header) onto further lines of the same row; when
// that is not enough, the columns are split into blocks that fit, one below
// the other, each repeating the first column. Numbers are never cut.
std::string RenderText(const Table& t, size_t max_width = 0);
// `text` wrapped at spaces to `max_width` (0: unchanged), continuation lines
// indented by `indent` spaces; a word longer than a line stays whole.
std::string Wrap(std::string_view text, size_t max_width, size_t indent = 2);
// Every line of `text` longer than `max_width` wrapped as by Wrap(), keeping
// its indentation (0: unchanged). For prose printed around tables.
std::string WrapLines(std::string_view text, size_t max_width);
// The table turned on its side for people (RenderText at TextWidth()): the
// first column's cells become the header, each other column a row.
std::string Transpose(const Table& t);
std::string RenderCsv(const Table& t);       // header row + rows
std::string RenderJson(const Table& t);      // array of objects
std::string RenderMarkdown(const Table& t);  // GitHub pipe table
std::string Render(const Table& t, TableFormat format);

}  // namespace repsim::io
