#include "serve/serve_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "io/columns.h"
#include "io/diagnostic.h"
#include "io/laws_table.h"
#include "io/plots.h"
#include "io/results.h"
#include "io/results_csv.h"
#include "io/results_json.h"
#include "io/scenario_loader.h"
#include "io/sweep_writer.h"
#include "io/table.h"
#include "io/zip.h"
#include "repsim/law.h"
#include "repsim/sweep.h"
#include "serve/serve_router.h"

namespace repsim::io {
namespace {

// The first kMaxDiagnosticsShown diagnostics (the source split once: the
// cost is linear in the text however many there are).
std::string DiagnosticsJson(const std::vector<Diagnostic>& ds,
                            const std::vector<std::string_view>& lines) {
  std::string out = "[";
  const size_t shown = std::min(ds.size(), kMaxDiagnosticsShown);
  for (size_t i = 0; i < shown; ++i) {
    const Diagnostic& d = ds[i];
    out += fmt::format(
        "{}\n    {{\"file\": {}, \"line\": {}, \"column\": {}, \"message\": {}, \"text\": {}}}",
        i ? "," : "", JsonString(d.file), d.line, d.column, JsonString(ValidUtf8(d.message)),
        JsonString(ValidUtf8(Format(d, lines))));
  }
  return out + (ds.empty() ? "]" : "\n  ]");
}

// 400 with the diagnostics: "error" is their text (at most
// kMaxDiagnosticsShown, then "and N more"), "diagnostics" the first ones,
// "more" how many were left out.
ApiReply BadInput(const std::vector<Diagnostic>& ds, std::string_view source) {
  ApiReply r;
  r.status = 400;
  const std::vector<std::string_view> lines = SplitLines(source);
  const size_t more = ds.size() > kMaxDiagnosticsShown ? ds.size() - kMaxDiagnosticsShown : 0;
  r.body = fmt::format(
      "{{\n  \"ok\": false,\n  \"error\": {},\n  \"diagnostics\": {},\n  \"more\": {}\n}}\n",
      JsonString(ValidUtf8(FormatAll(ds, source))), DiagnosticsJson(ds, lines), more);
  return r;
}

// The 1-based line of the first line of `text` that starts (after blanks)
// with `prefix`; 0 when none does.
int LineStartingWith(std::string_view text, std::string_view prefix) {
  const auto lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (l.substr(0, prefix.size()) == prefix) return static_cast<int>(i + 1);
  }
  return 0;
}

// The server's own limits, checked after the loader and before any work.
std::vector<Diagnostic> CheckLimits(const Scenario& sc, std::string_view text,
                                    const ServeLimits& limits, bool with_sweep) {
  std::vector<Diagnostic> out;
  if (with_sweep && !sc.sweep.empty()) {
    const uint64_t points = SweepGridSize(sc.sweep);
    if (points > limits.max_sweep_points) {
      const int line = LineStartingWith(text, "[[sweep.axis]]");
      out.push_back(Diagnostic{
          kRequestFileName, line, line ? 1 : 0,
          fmt::format("the sweep has {} points; this server evaluates at most {} per request "
                      "(repsim serve --max-sweep-points N changes it; `repsim run` has no such "
                      "limit)",
                      points, limits.max_sweep_points)});
    }
  }
  if (sc.output.trajectory_points > limits.max_trajectory_points) {
    const int line = LineStartingWith(text, "trajectory_points");
    out.push_back(
        Diagnostic{kRequestFileName, line, line ? 1 : 0,
                   fmt::format("output.trajectory_points = {}: this server returns at "
                               "most {}",
                               sc.output.trajectory_points, limits.max_trajectory_points)});
  }
  if (sc.compare.size() > limits.max_compare_variants) {
    const int line = LineStartingWith(text, "[[compare]]");
    out.push_back(
        Diagnostic{kRequestFileName, line, line ? 1 : 0,
                   fmt::format("{} [[compare]] variants: this server evaluates at most {}",
                               sc.compare.size(), limits.max_compare_variants)});
  }
  return out;
}

// A validated scenario within the limits, or the 400 to send.
// `with_sweep` false: the sweep will not be evaluated, so its size is not checked.
std::variant<Scenario, ApiReply> Load(std::string_view text, const ServeLimits& limits,
                                      bool with_sweep = true, bool allow_implausible = false) {
  LoadResult loaded = LoadScenarioText(text, kRequestFileName, {}, LoadOptions{allow_implausible});
  if (!loaded.scenario) return BadInput(loaded.errors, loaded.source);
  std::vector<Diagnostic> over = CheckLimits(*loaded.scenario, loaded.source, limits, with_sweep);
  if (!over.empty()) return BadInput(over, loaded.source);
  return std::move(*loaded.scenario);
}

bool IsNumber(std::string_view cell) {
  double v = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  return ec == std::errc() && end == cell.data() + cell.size() && std::isfinite(v);
}

// A CSV file `repsim run` writes, as the Table it came from: a column is
// numeric when every non-empty cell is a finite number. `keep`: the columns
// to keep (all when null).
Table CsvAsTable(std::string_view csv, const std::set<std::string>* keep) {
  Table t;
  std::vector<std::string_view> lines = SplitLines(csv);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return t;
  const std::vector<std::string> header = SplitCsvLine(lines[0]);
  std::vector<size_t> columns;
  for (size_t c = 0; c < header.size(); ++c) {
    if (!keep || keep->count(header[c])) columns.push_back(c);
  }
  std::vector<bool> numeric(columns.size(), true);
  for (size_t l = 1; l < lines.size(); ++l) {
    std::vector<std::string> cells = SplitCsvLine(lines[l]);
    cells.resize(header.size());
    std::vector<std::string> row;
    row.reserve(columns.size());
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string& cell = cells[columns[i]];
      if (!cell.empty() && !IsNumber(cell)) numeric[i] = false;
      row.push_back(std::move(cell));
    }
    t.rows.push_back(std::move(row));
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    t.columns.push_back(header[columns[i]]);
    t.numeric.push_back(numeric[i]);
  }
  return t;
}

// RenderJson's array, indented one level deeper, without its newline.
std::string JsonArray(const Table& t) {
  std::string json = RenderJson(t);
  while (!json.empty() && json.back() == '\n') json.pop_back();
  std::string out;
  for (char c : json) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

// Everything `repsim run` computes and writes for the scenario, in memory.
struct Computed {
  ScenarioResults results;
  Staging staging;
  SweepReport sweep;
};

std::variant<Computed, ApiReply> Compute(const Scenario& sc, const ServeLimits& limits,
                                         bool with_sweep) {
  Expected<ScenarioResults> evaluated = EvaluateScenario(sc.name + ".toml", sc);
  if (!evaluated) return ApiError(500, evaluated.error());
  Computed c{std::move(evaluated.value()), Staging::InMemory(sc.name), {}};
  if (with_sweep && !sc.sweep.empty()) {
    SweepOptions options;
    options.threads = limits.sweep_threads;
    if (auto e = RunSweep(sc, options, c.staging, &c.sweep)) return ApiError(500, *e);
    c.results.sweep_markdown = c.sweep.markdown;
  }
  if (auto e = WriteResults(c.results, c.staging)) return ApiError(500, *e);
  if (sc.output.plots) {
    if (auto e = WritePlots(c.results, PlotOptions{}, c.staging)) return ApiError(500, *e);
  }
  return c;
}

}  // namespace

ApiReply ApiError(int status, std::string_view message) {
  ApiReply r;
  r.status = status;
  // The message may quote the request (a query parameter): any bytes.
  r.body = fmt::format("{{\"ok\": false, \"error\": {}}}\n", JsonString(ValidUtf8(message)));
  return r;
}

ApiReply ApiRun(std::string_view toml, const ServeLimits& limits, const RunRequest& request) {
  std::set<std::string> sweep_keep;
  if (!request.sweep_columns.empty()) {
    for (const std::string& name : request.sweep_columns) {
      if (!FindColumn(name)) {
        return ApiError(400, fmt::format("columns: unknown summary column '{}' (GET /api/columns "
                                         "lists them)",
                                         name));
      }
      sweep_keep.insert(name);
    }
  }
  auto loaded = Load(toml, limits, request.sweep, request.allow_implausible);
  if (auto* reply = std::get_if<ApiReply>(&loaded)) return std::move(*reply);
  const Scenario& sc = std::get<Scenario>(loaded);
  auto computed = Compute(sc, limits, request.sweep);
  if (auto* reply = std::get_if<ApiReply>(&computed)) return std::move(*reply);
  const Computed& c = std::get<Computed>(computed);

  // summary.json as `repsim run` writes it, then the arrays.
  std::string body = SummaryJson(c.results);
  const size_t close = body.rfind('}');
  body.erase(close);
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  body += fmt::format(",\n  \"trajectory\": {}",
                      JsonArray(CsvAsTable(TrajectoryCsv(c.results.trajectory), nullptr)));
  if (!c.results.compare.empty()) {
    body += fmt::format(",\n  \"compare\": {}",
                        JsonArray(CsvAsTable(CompareCsv(c.results.compare), nullptr)));
  }
  if (request.sweep && !sc.sweep.empty()) {
    body += ",\n  \"sweep_axes\": [";
    for (size_t i = 0; i < sc.sweep.size(); ++i) {
      std::string values;
      for (size_t j = 0; j < sc.sweep[i].values.size(); ++j) {
        values += (j ? ", " : "") + Num(sc.sweep[i].values[j]);
      }
      body += fmt::format("{}{{\"key\": {}, \"values\": [{}]}}", i ? ", " : "",
                          JsonString(sc.sweep[i].key), values);
    }
    body +=
        fmt::format("],\n  \"sweep_status\": {{\"points\": {}, \"partial\": {}, \"invalid\": {}}}",
                    c.sweep.points, c.sweep.partial, c.sweep.invalid);
    const std::string csv = c.staging.Files()[kSweepCsvFile];
    std::set<std::string>* keep = nullptr;
    if (!sweep_keep.empty()) {
      keep = &sweep_keep;
      keep->insert("status");
      for (const SweepAxis& a : sc.sweep) keep->insert(a.key);
    }
    body += fmt::format(",\n  \"sweep\": {}", JsonArray(CsvAsTable(csv, keep)));
  }
  body += "\n}\n";
  ApiReply r;
  r.body = std::move(body);
  return r;
}

ApiReply ApiCheck(std::string_view toml, const ServeLimits& limits, bool allow_implausible) {
  auto loaded = Load(toml, limits, true, allow_implausible);
  if (auto* reply = std::get_if<ApiReply>(&loaded)) return std::move(*reply);
  const Scenario& sc = std::get<Scenario>(loaded);
  ApiReply r;
  r.body = fmt::format(
      "{{\"ok\": true, \"scenario\": {}, \"sweep_points\": {}, \"compare_variants\": {}, "
      "\"diagnostics\": []}}\n",
      JsonString(sc.name), sc.sweep.empty() ? 0 : SweepGridSize(sc.sweep), sc.compare.size());
  return r;
}

ApiReply ApiResultsZip(std::string_view toml, const ServeLimits& limits, bool allow_implausible) {
  auto loaded = Load(toml, limits, true, allow_implausible);
  if (auto* reply = std::get_if<ApiReply>(&loaded)) return std::move(*reply);
  const Scenario& sc = std::get<Scenario>(loaded);
  auto computed = Compute(sc, limits, true);
  if (auto* reply = std::get_if<ApiReply>(&computed)) return std::move(*reply);
  const Computed& c = std::get<Computed>(computed);
  std::vector<ZipEntry> entries;
  entries.push_back({sc.name + ".toml", std::string(toml)});
  for (auto& [file, data] : c.staging.Files()) entries.push_back({sc.name + "/" + file, data});
  std::optional<std::string> zip = StoredZip(entries);
  if (!zip) return ApiError(500, "the results are too large for a zip without ZIP64");
  ApiReply r;
  r.content_type = "application/zip";
  r.body = std::move(*zip);
  r.filename = sc.name + ".zip";
  return r;
}

ApiReply ApiLaws() {
  ApiReply r;
  r.body = RenderJson(LawsTable());
  return r;
}

ApiReply ApiColumns() {
  std::string out = "[";
  bool first = true;
  for (const Column* c : DefaultColumns()) {
    out += fmt::format("{}\n  {{\"name\": {}, \"numeric\": {}, \"unit\": {}, \"meaning\": {}}}",
                       first ? "" : ",", JsonString(c->name), c->numeric() ? "true" : "false",
                       JsonString(c->unit), JsonString(c->meaning));
    first = false;
  }
  ApiReply r;
  r.body = out + "\n]\n";
  return r;
}

}  // namespace repsim::io
