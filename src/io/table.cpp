#include "io/table.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace repsim::io {

std::optional<TableFormat> TableFormatFromString(std::string_view name) {
  if (name == "table" || name == "text") return TableFormat::kText;
  if (name == "csv") return TableFormat::kCsv;
  if (name == "json") return TableFormat::kJson;
  if (name == "md" || name == "markdown") return TableFormat::kMarkdown;
  return std::nullopt;
}

void Table::AddColumn(std::string name, bool is_numeric) {
  columns.push_back(std::move(name));
  numeric.push_back(is_numeric);
}

void Table::AddRow(std::vector<std::string> cells) {
  assert(cells.size() == columns.size());
  rows.push_back(std::move(cells));
}

std::string Num(double v) { return fmt::format("{}", v); }
std::string Short(double v) { return fmt::format("{:.6g}", v); }

std::string CsvCell(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string RenderText(const Table& t) {
  std::vector<size_t> width(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) width[c] = t.columns[c].size();
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) out += "  ";
      const bool right = !header && t.numeric[c];
      out += right ? fmt::format("{:>{}}", cells[c], width[c])
                   : fmt::format("{:<{}}", cells[c], width[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  line(t.columns, true);
  size_t total = 0;
  for (size_t c = 0; c < width.size(); ++c) total += width[c] + (c ? 2 : 0);
  out += std::string(total, '-') + "\n";
  for (const auto& row : t.rows) line(row, false);
  return out;
}

std::string RenderCsv(const Table& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (c) out += ',';
    out += CsvCell(t.columns[c]);
  }
  out += '\n';
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      out += CsvCell(row[c]);
    }
    out += '\n';
  }
  return out;
}

std::string RenderJson(const Table& t) {
  std::string out = "[\n";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    out += "  {";
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const std::string& cell = t.rows[r][c];
      out += (c ? ", " : "") + JsonString(t.columns[c]) + ": ";
      if (t.numeric[c]) {
        out += cell.empty() ? "null" : cell;
      } else {
        out += JsonString(cell);
      }
    }
    out += r + 1 < t.rows.size() ? "},\n" : "}\n";
  }
  return out + "]\n";
}

std::string RenderMarkdown(const Table& t) {
  std::string out = "|";
  for (const auto& c : t.columns) out += " " + c + " |";
  out += "\n|";
  for (size_t c = 0; c < t.columns.size(); ++c) out += t.numeric[c] ? "---:|" : "---|";
  out += '\n';
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& cell : row) out += " " + cell + " |";
    out += '\n';
  }
  return out;
}

std::string Render(const Table& t, TableFormat format) {
  switch (format) {
    case TableFormat::kText: return RenderText(t);
    case TableFormat::kCsv: return RenderCsv(t);
    case TableFormat::kJson: return RenderJson(t);
    case TableFormat::kMarkdown: return RenderMarkdown(t);
  }
  return {};
}

}  // namespace repsim::io
