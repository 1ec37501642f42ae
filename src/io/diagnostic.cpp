#include "io/diagnostic.h"

#include <fmt/format.h>

#include <algorithm>

namespace repsim::io {

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string Format(const Diagnostic& d, std::string_view source) {
  if (d.line <= 0) return Format(d, std::vector<std::string_view>{});
  return Format(d, SplitLines(source));
}

std::string Format(const Diagnostic& d, const std::vector<std::string_view>& lines) {
  if (d.line <= 0 && (d.text.empty() || d.column <= 0)) {
    return fmt::format("{}: error: {}\n", d.file, d.message);
  }
  std::string out = d.line > 0
                        ? fmt::format("{}:{}:{}: error: {}\n", d.file, d.line, d.column, d.message)
                        : fmt::format("{}: error: {}\n", d.file, d.message);
  if (d.line <= 0 || static_cast<size_t>(d.line) <= lines.size()) {
    std::string text(d.line > 0 ? lines[d.line - 1] : std::string_view(d.text));
    // Tabs would misplace the caret; show them as single spaces.
    for (char& c : text) {
      if (c == '\t') c = ' ';
    }
    if (text.size() > 200) text = text.substr(0, 200) + "...";
    const std::string gutter = d.line > 0 ? fmt::format("{:>5} | ", d.line) : "      | ";
    out += gutter + text + "\n";
    const int col = std::max(1, std::min<int>(d.column, static_cast<int>(text.size()) + 1));
    out += std::string(gutter.size() - 2, ' ') + "| " + std::string(col - 1, ' ') + "^\n";
  }
  return out;
}

namespace {

// 29980 → "29,980".
std::string Grouped(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string MoreErrorsNote(size_t more, size_t shown) {
  return fmt::format("and {} more error{} (only the first {} are shown)", Grouped(more),
                     more == 1 ? "" : "s", shown);
}

std::string FormatAll(const std::vector<Diagnostic>& ds, std::string_view source,
                      size_t max_shown) {
  std::string out;
  if (ds.empty()) return out;
  const std::vector<std::string_view> lines = SplitLines(source);
  const size_t shown = std::min(ds.size(), max_shown);
  for (size_t i = 0; i < shown; ++i) out += Format(ds[i], lines);
  if (ds.size() > shown) {
    out += fmt::format("{}: {}\n", ds.front().file, MoreErrorsNote(ds.size() - shown, shown));
  }
  return out;
}

}  // namespace repsim::io
