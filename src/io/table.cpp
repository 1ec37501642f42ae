#include "io/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

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
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
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

namespace {

// `text` cut at spaces into pieces of at most `width` characters (a longer
// word is kept whole on its own line).
std::vector<std::string> WrapWords(std::string_view text, size_t width) {
  std::vector<std::string> lines;
  std::string cur;
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    if (!cur.empty() && cur.size() + 1 + word.size() > width) {
      lines.push_back(std::move(cur));
      cur.clear();
    }
    if (!word.empty()) {
      if (!cur.empty()) cur += ' ';
      cur += word;
    }
    i = end + 1;
  }
  if (!cur.empty() || lines.empty()) lines.push_back(std::move(cur));
  return lines;
}

}  // namespace

std::string RenderText(const Table& t, size_t max_width) {
  const size_t n = t.columns.size();
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c) width[c] = t.columns[c].size();
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  size_t total = 0;
  for (size_t c = 0; c < n; ++c) total += width[c] + (c ? 2 : 0);
  // Wrap the last column when it is text and the table is too wide, keeping
  // at least 20 characters for it.
  const size_t last_start = n ? total - width[n - 1] : 0;
  const bool wrap = max_width > 0 && total > max_width && n > 1 && !t.numeric[n - 1] &&
                    max_width >= last_start + 20;
  if (wrap) {
    width[n - 1] = max_width - last_start;
    total = max_width;
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::vector<std::string> tail;  // continuation lines of the last cell
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c) out += "  ";
      std::string cell = cells[c];
      if (wrap && c + 1 == n && cell.size() > width[c]) {
        tail = WrapWords(cell, width[c]);
        cell = tail.front();
        tail.erase(tail.begin());
      }
      const bool right = !header && t.numeric[c];
      out += right ? fmt::format("{:>{}}", cell, width[c]) : fmt::format("{:<{}}", cell, width[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
    for (const std::string& more : tail) out += std::string(last_start, ' ') + more + '\n';
  };
  line(t.columns, true);
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
    case TableFormat::kText:
      return RenderText(t);
    case TableFormat::kCsv:
      return RenderCsv(t);
    case TableFormat::kJson:
      return RenderJson(t);
    case TableFormat::kMarkdown:
      return RenderMarkdown(t);
  }
  return {};
}

}  // namespace repsim::io
