#include "io/sweep_lean.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <set>

#include "io/table.h"
#include "repsim/sweep.h"

namespace repsim::io {
namespace {

// Probe points: every value of every axis (the other axes at index 0), and
// points evenly spaced over the grid, the last included.
constexpr uint64_t kSpreadProbes = 256;
constexpr size_t kMaxValuesPerAxis = 4096;

std::vector<uint64_t> ProbeIndices(const std::vector<SweepAxis>& axes) {
  const uint64_t n = SweepGridSize(axes);
  std::set<uint64_t> out;
  uint64_t stride = 1;  // of axis k in the row-major numbering
  for (size_t k = axes.size(); k-- > 0;) {
    const uint64_t size = axes[k].values.size();
    const uint64_t step = std::max<uint64_t>(1, size / kMaxValuesPerAxis);
    for (uint64_t j = 0; j < size; j += step) out.insert(j * stride);
    out.insert((size - 1) * stride);
    stride *= size;
  }
  for (uint64_t i = 0; i < kSpreadProbes; ++i)
    out.insert(n > 1 ? i * (n - 1) / (kSpreadProbes - 1) : 0);
  return {out.begin(), out.end()};
}

uint64_t Bits(const std::optional<double>& v) {
  return v ? std::bit_cast<uint64_t>(*v)
           : 0x7ff8dead0000beefULL;  // "no value": not a double we write
}

ConstantColumn ValueOf(const Column* c, const Run& run, const Summary& s) {
  ConstantColumn k;
  k.column = c;
  if (c->numeric()) {
    k.number = c->Value(run, s);
  } else {
    k.text = c->Text(run, s);
  }
  k.cell = c->Cell(run, s);
  return k;
}

}  // namespace

bool ConstantColumn::Matches(const Run& run, const Summary& summary) const {
  if (column->numeric()) return Bits(column->Value(run, summary)) == Bits(number);
  if (column->type == ColumnType::kName) return column->Name(run, summary) == text;
  return column->Text(run, summary) == text;
}

SweepLayout PlanSweepLayout(const Scenario& scenario, bool wide) {
  SweepLayout layout;
  layout.intervals = scenario.output.intervals;
  const ColumnSet& all = DefaultColumns();
  if (wide || scenario.sweep.empty()) {
    layout.varying = OutputColumns(layout.intervals);
    return layout;
  }
  SweepEvaluator evaluator(scenario.base, scenario.sweep);
  SweepPoint point;
  std::vector<std::optional<ConstantColumn>> first(all.size());
  std::vector<bool> varies(all.size(), false);
  bool any = false;
  for (uint64_t i : ProbeIndices(scenario.sweep)) {
    evaluator.Evaluate(i, &point);
    if (point.kind == PointStatus::kInvalid) continue;
    for (size_t c = 0; c < all.size(); ++c) {
      if (varies[c]) continue;
      if (!first[c]) {
        first[c] = ValueOf(all[c], point.run, point.summary);
      } else if (!first[c]->Matches(point.run, point.summary)) {
        varies[c] = true;
      }
    }
    any = true;
  }
  for (size_t c = 0; c < all.size(); ++c) {
    if (!any || varies[c]) {
      layout.varying.push_back(all[c]);
    } else {
      layout.constants.push_back(std::move(*first[c]));
    }
  }
  // The band columns (not probed: bands cost ~230 evaluations a point) go in every row.
  if (layout.intervals) MakeVarying(&layout, {});
  return layout;
}

void MakeVarying(SweepLayout* layout, const std::vector<size_t>& violated) {
  std::set<const Column*> moved;
  for (size_t i : violated) moved.insert(layout->constants[i].column);
  std::vector<ConstantColumn> constants;
  for (ConstantColumn& k : layout->constants) {
    if (!moved.count(k.column)) constants.push_back(std::move(k));
  }
  layout->constants = std::move(constants);
  ColumnSet varying;
  for (const Column* c : OutputColumns(layout->intervals)) {
    const bool constant = std::any_of(layout->constants.begin(), layout->constants.end(),
                                      [c](const ConstantColumn& k) { return k.column == c; });
    if (!constant) varying.push_back(c);
  }
  layout->varying = std::move(varying);
}

std::string SweepMetaJson(const Scenario& scenario, const SweepLayout& layout) {
  std::string out = "{\n";
  out += fmt::format("  \"scenario\": {},\n", JsonString(scenario.name));
  out +=
      "  \"note\": \"sweep.csv holds the columns that vary over the grid; these are the same "
      "at every point whose status is not invalid\",\n";
  out += "  \"axes\": [";
  for (size_t k = 0; k < scenario.sweep.size(); ++k) {
    out += (k ? ", " : "") + JsonString(scenario.sweep[k].key);
  }
  out += "],\n  \"varying_columns\": [";
  for (size_t c = 0; c < layout.varying.size(); ++c) {
    out += (c ? ", " : "") + JsonString(layout.varying[c]->name);
  }
  out += "],\n  \"constant_columns\": {";
  for (size_t c = 0; c < layout.constants.size(); ++c) {
    const ConstantColumn& k = layout.constants[c];
    const std::string value =
        k.column->numeric() ? (k.cell.empty() ? "null" : k.cell) : JsonString(k.cell);
    out += fmt::format("{}\n    {}: {}", c ? "," : "", JsonString(k.column->name), value);
  }
  out += layout.constants.empty() ? "}\n}\n" : "\n  }\n}\n";
  return out;
}

namespace {

// A JSON string as JsonString() writes it, from its opening quote at `s[i]`;
// advances `i` past the closing quote.
std::optional<std::string> ReadJsonString(std::string_view s, size_t* i) {
  if (*i >= s.size() || s[*i] != '"') return std::nullopt;
  std::string out;
  for (size_t j = *i + 1; j < s.size(); ++j) {
    const char c = s[j];
    if (c == '"') {
      *i = j + 1;
      return out;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++j >= s.size()) return std::nullopt;
    switch (s[j]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'u': {
        if (j + 4 >= s.size()) return std::nullopt;
        unsigned v = 0;
        for (int d = 1; d <= 4; ++d) {
          const char h = s[j + d];
          v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(h))
                                                 ? h - '0'
                                                 : (h | 0x20) - 'a' + 10);
        }
        if (v >= 0x20) return std::nullopt;  // JsonString escapes control characters only
        out += static_cast<char>(v);
        j += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

Expected<std::vector<std::pair<std::string, std::string>>> ParseSweepMetaConstants(
    std::string_view text, const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  const size_t open = text.find("\"constant_columns\": {");
  if (open == std::string_view::npos) {
    return Error{
        fmt::format("{}: no \"constant_columns\" (not a sweep.meta.json of this version)", path)};
  }
  size_t i = open + std::string_view("\"constant_columns\": {").size();
  auto skip = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == ',')) ++i;
  };
  for (skip(); i < text.size() && text[i] != '}'; skip()) {
    auto name = ReadJsonString(text, &i);
    if (!name || text.substr(i, 2) != ": ") break;
    i += 2;
    std::string cell;
    if (i < text.size() && text[i] == '"') {
      auto v = ReadJsonString(text, &i);
      if (!v) break;
      cell = *v;
    } else {
      const size_t end = text.find_first_of(",\n}", i);
      if (end == std::string_view::npos) break;
      cell = std::string(text.substr(i, end - i));
      if (cell == "null") cell.clear();
      i = end;
    }
    out.emplace_back(std::move(*name), std::move(cell));
  }
  if (i >= text.size() || text[i] != '}') {
    const size_t line = 1 + static_cast<size_t>(std::count(
                                text.begin(), text.begin() + std::min(i, text.size()), '\n'));
    return Error{fmt::format("{}:{}: not a sweep.meta.json this version wrote", path, line)};
  }
  return out;
}

}  // namespace repsim::io
