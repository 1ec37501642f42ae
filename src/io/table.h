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

// Aligned columns, header underlined. With max_width > 0 and lines wider than
// that, the last column (when it is text) is wrapped at spaces onto
// continuation lines indented to where it starts; nothing else changes.
std::string RenderText(const Table& t, size_t max_width = 0);
std::string RenderCsv(const Table& t);       // header row + rows
std::string RenderJson(const Table& t);      // array of objects
std::string RenderMarkdown(const Table& t);  // GitHub pipe table
std::string Render(const Table& t, TableFormat format);

}  // namespace repsim::io
