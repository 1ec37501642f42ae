#include "io/evidence_csv.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <optional>

#include "io/runs_csv.h"

namespace repsim::io {
namespace {

constexpr std::array<std::string_view, 11> kNeeded = {
    "source",  "setting",   "params", "unique_tokens", "tokens",     "epochs",
    "dropout", "objective", "metric", "value",         "fresh_value"};
constexpr std::array<std::string_view, 2> kOptional = {"verification", "notes"};

}  // namespace

Expected<std::vector<EvidenceRow>> ParseEvidenceCsv(std::string_view text, std::string_view name) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  Expected<std::vector<CsvRecord>> records = SplitCsvRecords(text, name);
  if (!records) return Error{records.error()};
  if (records->empty()) {
    return Error{
        fmt::format("{}: empty file: expected a header with {}", name, fmt::join(kNeeded, ", "))};
  }
  const CsvRecord& header = records->front();
  auto column = [&](std::string_view c) -> int {
    for (size_t i = 0; i < header.fields.size(); ++i) {
      if (header.fields[i] == c) return static_cast<int>(i);
    }
    return -1;
  };
  std::array<int, kNeeded.size()> col{};
  for (size_t k = 0; k < kNeeded.size(); ++k) {
    col[k] = column(kNeeded[k]);
    if (col[k] < 0) {
      return Error{fmt::format("{}:{}: missing column '{}' (the header has: {})", name, header.line,
                               kNeeded[k], fmt::join(header.fields, ", "))};
    }
  }
  const int verification = column(kOptional[0]), notes = column(kOptional[1]);
  std::vector<EvidenceRow> out;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    if (rec.fields.size() != header.fields.size()) {
      return Error{fmt::format("{}:{}: the row has {} fields, the header {}", name, rec.line,
                               rec.fields.size(), header.fields.size())};
    }
    auto cell = [&](size_t k) -> const std::string& { return rec.fields[col[k]]; };
    auto number = [&](size_t k, std::optional<double>* v) -> MaybeError {
      const std::string& s = cell(k);
      if (s.empty()) return std::nullopt;
      double d = 0;
      const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(d) || d < 0) {
        return fmt::format("{}:{}: column '{}' = '{}': must be empty or a finite number >= 0", name,
                           rec.line, kNeeded[k], s);
      }
      *v = d;
      return std::nullopt;
    };
    EvidenceRow row;
    row.line = rec.line;
    row.source = cell(0);
    row.setting = cell(1);
    if (auto e = number(2, &row.params)) return Error{*e};
    if (auto e = number(3, &row.unique_tokens)) return Error{*e};
    if (auto e = number(4, &row.tokens)) return Error{*e};
    if (auto e = number(5, &row.epochs)) return Error{*e};
    if (auto e = number(6, &row.dropout)) return Error{*e};
    for (auto* v : {&row.params, &row.unique_tokens, &row.tokens}) {
      if (*v && !(**v > 0)) *v = std::nullopt;  // 0 says nothing about a run
    }
    row.objective = cell(7);
    row.metric = cell(8);
    row.value = cell(9);
    row.fresh_value = cell(10);
    if (verification >= 0) row.verification = rec.fields[verification];
    if (notes >= 0) row.notes = rec.fields[notes];
    if (row.source.empty()) {
      return Error{fmt::format("{}:{}: column 'source' is empty", name, rec.line)};
    }
    out.push_back(std::move(row));
  }
  if (out.empty()) return Error{fmt::format("{}: a header but no rows", name)};
  return out;
}

Expected<std::vector<EvidenceRow>> ReadEvidenceCsv(const std::string& path) {
  Expected<std::string> text = ReadCsvText(path);
  if (!text) return Error{text.error()};
  return ParseEvidenceCsv(*text, path);
}

}  // namespace repsim::io
