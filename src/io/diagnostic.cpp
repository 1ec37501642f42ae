#include "io/diagnostic.h"

#include <fmt/format.h>

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
  if (d.line <= 0 && (d.text.empty() || d.column <= 0)) {
    return fmt::format("{}: error: {}\n", d.file, d.message);
  }
  std::string out = d.line > 0
                        ? fmt::format("{}:{}:{}: error: {}\n", d.file, d.line, d.column, d.message)
                        : fmt::format("{}: error: {}\n", d.file, d.message);
  const auto lines = SplitLines(source);
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

}  // namespace repsim::io
