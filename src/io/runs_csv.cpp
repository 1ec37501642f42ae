#include "io/runs_csv.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>

#include "repsim/scenario.h"

namespace repsim::io {
namespace {

using Record = CsvRecord;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits RFC 4180 CSV into records (quoted fields may hold commas, doubled
// quotes and line breaks). Blank lines give no record.
Expected<std::vector<Record>> SplitRecords(std::string_view text, std::string_view name) {
  std::vector<Record> out;
  size_t i = 0;
  int line = 1;
  while (i < text.size()) {
    Record rec;
    rec.line = line;
    std::string field;
    bool quoted_field = false;
    bool any = false;  // the record has content
    for (;;) {
      if (i >= text.size()) {
        rec.fields.push_back(quoted_field ? field : std::string(Trim(field)));
        break;
      }
      const char c = text[i];
      if (c == '"' && Trim(field).empty() && !quoted_field) {
        // Opening quote: read up to the closing one.
        const int start_line = line;
        field.clear();
        quoted_field = true;
        any = true;
        ++i;
        for (;;) {
          if (i >= text.size()) {
            return Error{fmt::format("{}:{}: unterminated quoted field", name, start_line)};
          }
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        // Only spaces may follow the closing quote before the separator.
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return Error{fmt::format("{}:{}: unexpected text after a closing quote", name, line)};
        }
        continue;
      }
      if (c == ',') {
        rec.fields.push_back(quoted_field ? field : std::string(Trim(field)));
        field.clear();
        quoted_field = false;
        any = true;
        ++i;
        continue;
      }
      if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        ++line;
        rec.fields.push_back(quoted_field ? field : std::string(Trim(field)));
        break;
      }
      if (c != ' ' && c != '\t') any = true;
      field += c;
      ++i;
    }
    if (any) out.push_back(std::move(rec));
  }
  return out;
}

// A positive finite number, or a message saying what is wrong with it. Read
// with the core's quantity parser (scenario.h), so that a cell may say 1B as a
// scenario file may.
Expected<double> ParsePositive(std::string_view s) {
  if (s.empty()) return Error{"empty"};
  const std::optional<double> v = ParseQuantity(s);
  if (!v) {
    double d = 0;
    const std::string_view t = s.front() == '+' ? s.substr(1) : s;
    if (std::from_chars(t.data(), t.data() + t.size(), d).ec == std::errc::result_out_of_range) {
      return Error{"out of the range of a double"};
    }
    return Error{"not a number (a plain number, or one with a suffix K, M, B, T)"};
  }
  if (std::isnan(*v)) return Error{"not a number (NaN)"};
  if (std::isinf(*v)) return Error{"must be finite"};
  if (!(*v > 0)) return Error{"must be > 0"};
  return *v;
}

}  // namespace

Expected<std::string> ReadCsvText(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error{fmt::format("{}: is a directory, not a CSV file", path)};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open the file", path)};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error{fmt::format("{}: read error", path)};
  return ss.str();
}

Expected<std::vector<CsvRecord>> SplitCsvRecords(std::string_view text, std::string_view name) {
  return SplitRecords(text, name);
}

namespace {

Expected<std::vector<MeasuredRun>> Parse(std::string_view text, std::string_view name,
                                         bool need_unique_tokens,
                                         std::span<const std::string> groups) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  auto records = SplitRecords(text, name);
  if (!records) return Error{records.error()};
  if (records->empty()) {
    return Error{fmt::format("{}: empty file: expected a header with params, tokens, {}loss", name,
                             need_unique_tokens ? "unique_tokens, " : "")};
  }
  const Record& header = records->front();
  // Column index of each needed field, by name.
  std::vector<std::string_view> needed = {"params", "tokens", "loss"};
  if (need_unique_tokens) needed.push_back("unique_tokens");
  std::vector<int> column(needed.size(), -1);
  for (size_t c = 0; c < header.fields.size(); ++c) {
    for (size_t k = 0; k < needed.size(); ++k) {
      if (header.fields[c] != needed[k]) continue;
      if (column[k] >= 0) {
        return Error{fmt::format("{}:{}: column '{}' appears twice (fields {} and {})", name,
                                 header.line, needed[k], column[k] + 1, c + 1)};
      }
      column[k] = static_cast<int>(c);
    }
  }
  for (size_t k = 0; k < needed.size(); ++k) {
    if (column[k] < 0) {
      std::string have;
      for (const std::string& f : header.fields) have += (have.empty() ? "" : ", ") + f;
      return Error{fmt::format(
          "{}:{}: missing column '{}' (the header has: {}){}", name, header.line, needed[k], have,
          needed[k] == "unique_tokens" ? "; the data-constrained form needs unique tokens per run"
                                       : "")};
    }
  }
  std::vector<int> group_column(groups.size(), -1);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t c = 0; c < header.fields.size(); ++c) {
      if (header.fields[c] == groups[g]) group_column[g] = static_cast<int>(c);
    }
    if (group_column[g] < 0) {
      std::string have;
      for (const std::string& f : header.fields) have += (have.empty() ? "" : ", ") + f;
      return Error{fmt::format("{}:{}: --group-by {}: no such column (the header has: {})", name,
                               header.line, groups[g], have)};
    }
  }
  std::vector<MeasuredRun> runs;
  runs.reserve(records->size() - 1);
  for (size_t r = 1; r < records->size(); ++r) {
    const Record& rec = (*records)[r];
    if (rec.fields.size() < header.fields.size()) {
      // Name the first needed column the short row lacks, if any.
      std::string_view lacking;
      for (size_t k = 0; k < needed.size() && lacking.empty(); ++k) {
        if (static_cast<size_t>(column[k]) >= rec.fields.size()) lacking = needed[k];
      }
      if (!lacking.empty()) {
        return Error{
            fmt::format("{}:{}: column '{}' is missing: the row has {} fields, the "
                        "header {}",
                        name, rec.line, lacking, rec.fields.size(), header.fields.size())};
      }
    }
    if (rec.fields.size() != header.fields.size()) {
      return Error{fmt::format("{}:{}: the row has {} fields, the header {}", name, rec.line,
                               rec.fields.size(), header.fields.size())};
    }
    std::array<double, 4> v{};
    for (size_t k = 0; k < needed.size(); ++k) {
      const std::string& cell = rec.fields[column[k]];
      const Expected<double> parsed = ParsePositive(cell);
      if (!parsed) {
        if (cell.empty()) {
          return Error{fmt::format("{}:{}: column '{}' is empty", name, rec.line, needed[k])};
        }
        return Error{fmt::format("{}:{}: column '{}' = '{}': {}", name, rec.line, needed[k], cell,
                                 parsed.error())};
      }
      v[k] = *parsed;
    }
    MeasuredRun run;
    run.params = v[0];
    run.tokens = v[1];
    run.loss = v[2];
    run.unique_tokens = need_unique_tokens ? v[3] : 0.0;
    for (int c : group_column) run.group.push_back(rec.fields[c]);
    runs.push_back(std::move(run));
  }
  if (runs.empty()) return Error{fmt::format("{}: no runs: the file has only a header", name)};
  return runs;
}

}  // namespace

Expected<std::vector<FitRun>> ParseRunsCsv(std::string_view text, std::string_view name,
                                           bool need_unique_tokens) {
  auto parsed = Parse(text, name, need_unique_tokens, {});
  if (!parsed) return Error{parsed.error()};
  std::vector<FitRun> runs;
  runs.reserve(parsed->size());
  for (const MeasuredRun& r : *parsed) {
    runs.push_back(FitRun{r.params, r.tokens, r.unique_tokens, r.loss});
  }
  return runs;
}

Expected<std::vector<MeasuredRun>> ParseMeasuredRunsCsv(std::string_view text,
                                                        std::string_view name,
                                                        std::span<const std::string> groups) {
  return Parse(text, name, true, groups);
}

Expected<std::vector<MeasuredRun>> ReadMeasuredRunsCsv(const std::string& path,
                                                       std::span<const std::string> groups) {
  Expected<std::string> text = ReadCsvText(path);
  if (!text) return Error{text.error()};
  return ParseMeasuredRunsCsv(*text, path, groups);
}

Expected<std::vector<FitRun>> ReadRunsCsv(const std::string& path, bool need_unique_tokens) {
  Expected<std::string> text = ReadCsvText(path);
  if (!text) return Error{text.error()};
  return ParseRunsCsv(*text, path, need_unique_tokens);
}

}  // namespace repsim::io
