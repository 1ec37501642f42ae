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

namespace {

// Whether every column of the chosen set fits `max_width` as laid out.
size_t Total(const std::vector<size_t>& width, const std::vector<size_t>& cols) {
  size_t total = 0;
  for (size_t i = 0; i < cols.size(); ++i) total += width[cols[i]] + (i ? 2 : 0);
  return total;
}

// The columns `cols` of `t` with the given widths; a text cell wider than
// its column is wrapped at spaces onto further lines of the same row.
std::string RenderBlock(const Table& t, const std::vector<size_t>& cols,
                        const std::vector<size_t>& width) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::vector<std::vector<std::string>> parts(cols.size());
    size_t height = 1;
    for (size_t i = 0; i < cols.size(); ++i) {
      const std::string& cell = cells[cols[i]];
      parts[i] = cell.size() > width[cols[i]] ? WrapWords(cell, width[cols[i]])
                                              : std::vector<std::string>{cell};
      height = std::max(height, parts[i].size());
    }
    for (size_t h = 0; h < height; ++h) {
      for (size_t i = 0; i < cols.size(); ++i) {
        if (i) out += "  ";
        const std::string cell = h < parts[i].size() ? parts[i][h] : std::string();
        const bool right = !header && t.numeric[cols[i]];
        out += right ? fmt::format("{:>{}}", cell, width[cols[i]])
                     : fmt::format("{:<{}}", cell, width[cols[i]]);
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += '\n';
    }
  };
  line(t.columns, true);
  out += std::string(Total(width, cols), '-') + "\n";
  for (const auto& row : t.rows) line(row, false);
  return out;
}

// The narrowest a wrapped text column is made.
constexpr size_t kMinTextWidth = 20;

}  // namespace

namespace {
size_t& TextWidthSetting() {
  static size_t width = kTerminalWidth;
  return width;
}
}  // namespace

size_t TextWidth() { return TextWidthSetting(); }
void SetTextWidth(size_t width) { TextWidthSetting() = width; }

std::string RenderText(const Table& t, size_t max_width) {
  const size_t n = t.columns.size();
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c) width[c] = t.columns[c].size();
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::vector<size_t> all(n);
  for (size_t c = 0; c < n; ++c) all[c] = c;
  if (max_width == 0 || n == 0 || Total(width, all) <= max_width) {
    return RenderBlock(t, all, width);
  }
  // Too wide: wrap text columns, the last first (notes, extrapolations) and
  // the first (the row's name) last, none below kMinTextWidth or its header ...
  const std::vector<size_t> natural = width;
  const size_t natural0 = width[0];
  // A column is never narrower than its longest word: words are not cut.
  std::vector<size_t> longest_word(n, 0);
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < n; ++c) {
      size_t start = 0;
      while (start <= row[c].size()) {
        size_t end = row[c].find(' ', start);
        if (end == std::string::npos) end = row[c].size();
        longest_word[c] = std::max(longest_word[c], end - start);
        start = end + 1;
      }
    }
  }
  auto floor_of = [&](size_t c) {
    return std::max({kMinTextWidth, t.columns[c].size(), longest_word[c]});
  };
  auto shrink = [&](size_t c, size_t excess) {
    if (t.numeric[c] || width[c] <= floor_of(c)) return;
    width[c] = std::max(floor_of(c), width[c] > excess ? width[c] - excess : 0);
  };
  for (size_t c = n; c-- > 0 && Total(width, all) > max_width;) {
    shrink(c, Total(width, all) - max_width);
  }
  if (Total(width, all) <= max_width) return RenderBlock(t, all, width);
  // ... then split the columns into blocks that fit, each repeating the
  // first column (the row's name, at most 3/5 of the width), one below the
  // other. In a block of its own a text column has the width the first pass
  // took from it back, as far as the line allows.
  width[0] = std::max(width[0], std::min(natural0, max_width * 3 / 5));
  for (size_t c = 1; c < n; ++c) {
    width[c] = natural[c];
    if (width[0] + 2 + width[c] > max_width) shrink(c, width[0] + 2 + width[c] - max_width);
  }
  std::string out;
  std::vector<size_t> block = {0};
  for (size_t c = 1; c < n; ++c) {
    std::vector<size_t> wider = block;
    wider.push_back(c);
    if (block.size() > 1 && Total(width, wider) > max_width) {
      if (!out.empty()) out += '\n';
      out += RenderBlock(t, block, width);
      block = {0, c};
    } else {
      block = std::move(wider);
    }
  }
  if (!out.empty()) out += '\n';
  out += RenderBlock(t, block, width);
  return out;
}

std::string Wrap(std::string_view text, size_t max_width, size_t indent) {
  if (max_width == 0 || text.size() <= max_width || max_width <= indent + kMinTextWidth) {
    return std::string(text);
  }
  // The first line keeps the text's own indentation (WrapWords drops it).
  const size_t lead = std::min(text.find_first_not_of(' '), text.size());
  if (max_width <= lead + kMinTextWidth) return std::string(text);
  std::string out;
  const std::vector<std::string> lines = WrapWords(text.substr(lead), max_width - lead);
  // The first line at full width, the rest indented.
  std::string rest;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == 0) {
      out = std::string(lead, ' ') + lines[0];
      continue;
    }
    if (!rest.empty()) rest += ' ';
    rest += lines[i];
  }
  for (const std::string& l : WrapWords(rest, max_width - indent)) {
    out += '\n';
    out.append(indent, ' ');
    out += l;
  }
  return out;
}

std::string WrapLines(std::string_view text, size_t max_width) {
  if (max_width == 0) return std::string(text);
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool newline = end != std::string_view::npos;
    if (!newline) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    const size_t lead = std::min(line.find_first_not_of(' '), line.size());
    if (line.size() > max_width && lead + kMinTextWidth < max_width) {
      // Wrapped to the width left after the indentation, each piece indented.
      const std::string wrapped = Wrap(line.substr(lead), max_width - lead, 2);
      size_t p = 0;
      while (p <= wrapped.size()) {
        size_t q = wrapped.find('\n', p);
        if (q == std::string::npos) q = wrapped.size();
        if (p) out += '\n';
        out.append(lead, ' ');
        out.append(wrapped, p, q - p);
        p = q + 1;
      }
    } else {
      out += line;
    }
    if (newline) out += '\n';
    start = end + 1;
  }
  return out;
}

std::string Transpose(const Table& t) {
  Table out;
  out.AddColumn(t.columns.empty() ? std::string() : t.columns[0], false);
  for (const auto& row : t.rows) out.AddColumn(row.empty() ? std::string() : row[0], false);
  for (size_t c = 1; c < t.columns.size(); ++c) {
    std::vector<std::string> cells = {t.columns[c]};
    for (const auto& row : t.rows) cells.push_back(row[c]);
    out.AddRow(std::move(cells));
  }
  return RenderText(out, TextWidth());
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
      return RenderText(t, TextWidth());
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
