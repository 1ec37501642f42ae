// The field tables of results (src/io/result_fields.h, select's in
// select_writer.h): every output built from a table writes exactly the
// table's names, in its order — the JSON objects, the CLI's tables (text, CSV,
// JSON) of `fit`, `plan allocate` and `validate`, and select's summary.json.
// The names expected here are read back from what the real binary writes.
#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_util.h"
#include "io/fit_report.h"
#include "io/result_fields.h"
#include "io/value.h"
#include "select/select_writer.h"

using namespace repsim;
using repsim::test::RunRepsim;

namespace {

std::vector<std::string> Strings(const std::vector<std::string_view>& v) {
  return {v.begin(), v.end()};
}

// The keys of the first JSON object after `"key": ` in `json` (one line, flat).
std::vector<std::string> ObjectKeys(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\": {");
  REQUIRE(at != std::string::npos);
  const size_t open = json.find('{', at);
  const std::string body = json.substr(open, json.find('}', open) - open);
  std::vector<std::string> keys;
  const std::regex re("\"([a-z0-9_]+)\": ");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), re); it != std::sregex_iterator();
       ++it) {
    keys.push_back((*it)[1]);
  }
  return keys;
}

std::vector<std::string> CsvHeader(const std::string& csv) {
  std::vector<std::string> cells;
  const std::string line = csv.substr(0, csv.find('\n'));
  size_t start = 0;
  for (size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) {
    cells.push_back(line.substr(start, comma - start));
  }
  cells.push_back(line.substr(start));
  return cells;
}

template <typename T>
void CheckTable(io::FieldTable<T> fields) {
  REQUIRE_FALSE(fields.empty());
  std::vector<std::string_view> names = io::FieldNames(fields);
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK_FALSE(names[i].empty());
    for (size_t j = 0; j < i; ++j) CHECK(names[i] != names[j]);
  }
  // JsonObject writes each field once, in order.
  const std::string json = "\"x\": " + io::JsonObject(fields, T{});
  CHECK(ObjectKeys(json, "x") == Strings(names));
}

// The keys of a multi-line JSON object's members at `indent` spaces.
std::vector<std::string> KeysAtIndent(const std::string& json, size_t indent) {
  std::vector<std::string> keys;
  std::string pattern = "^";  // appended, not operator+: GCC 12's -Wrestrict false positive
  pattern.append(indent, ' ');
  pattern += "\"([a-z0-9_A-Z]+)\": ";
  const std::regex re(pattern);
  size_t start = 0;
  while (start < json.size()) {
    const size_t end = json.find('\n', start);
    const std::string line = json.substr(start, end - start);
    std::smatch m;
    if (std::regex_search(line, m, re)) keys.push_back(m[1]);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return keys;
}

}  // namespace

TEST_CASE("field tables: names are unique and JsonObject writes them in order", "[fields]") {
  CheckTable(io::LawDomainFields());
  CheckTable(io::ParamSpreadFields());
  CheckTable(io::PlanPointFields());
  CheckTable(io::PlanTableRowFields());
  CheckTable(io::ScaleRowFields());
  CheckTable(io::ValidationRowFields());
  CheckTable(io::AllocationRowFields());
  CheckTable(io::CoverageFields());
  CheckTable(io::SftExposureFields());
}

TEST_CASE("fit writes the domain and spread tables' names", "[fields][fit]") {
  const std::string file = "tests/data/fit/subset_40_seed3.csv --form data-constrained";
  const auto json = RunRepsim("fit " + file + " --starts 5 --bootstrap 2 --format json");
  REQUIRE(json.code == 0);
  CHECK(ObjectKeys(json.out, "domain") == Strings(io::FieldNames(io::LawDomainFields())));
  CHECK(ObjectKeys(json.out, "alpha") == Strings(io::FieldNames(io::ParamSpreadFields())));
  CHECK(ObjectKeys(json.out, "exponent_b") == Strings(io::FieldNames(io::ParamSpreadFields())));
  const auto csv = RunRepsim("fit " + file + " --starts 5 --bootstrap 2 --format csv");
  REQUIRE(csv.code == 0);
  std::vector<std::string> want = {"quantity", "value", "fit"};
  for (std::string_view n : io::FieldNames(io::ParamSpreadFields(), true)) want.emplace_back(n);
  CHECK(CsvHeader(csv.out) == want);
  const auto overfit = RunRepsim(
      "fit tests/data/fit/muennighoff2023_all_runs.csv --form overfit --group-by dedup "
      "--format json");
  REQUIRE(overfit.code == 0);
  CHECK(ObjectKeys(overfit.out, "domain") == Strings(io::FieldNames(io::LawDomainFields())));
}

TEST_CASE("value trees: one writer for nested JSON", "[fields][value]") {
  using io::Value;
  // Flat objects and lists stay on one line; an object holding an object is
  // written a member per line, nested ones two spaces further in.
  CHECK(io::ValueJson(Value()) == "null");
  CHECK(io::ValueJson(Value(int64_t{-3})) == "-3");
  CHECK(io::ValueJson(Value(uint64_t{18446744073709551615ULL})) == "18446744073709551615");
  CHECK(io::ValueJson(Value(0.1)) == "0.1");
  CHECK(io::ValueJson(Value(std::string("a\"b"))) == "\"a\\\"b\"");
  CHECK(io::ValueJson(Value(Value::List{})) == "[]");
  CHECK(io::ValueJson(Value(Value::List{Value(std::string("E")), Value(1)})) == "[\"E\", 1]");
  const Value flat = Value::Object{{"a", 1}, {"b", Value()}};
  CHECK(io::ValueJson(flat) == "{\"a\": 1, \"b\": null}");
  const Value inner = Value::Object{{"n", 2}, {"o", flat}};
  const Value outer = Value::Object{{"x", 1.5}, {"y", inner}, {"z", Value::List{}}};
  CHECK(io::ValueJson(outer) ==
        "{\n"
        "  \"x\": 1.5,\n"
        "  \"y\": {\n"
        "    \"n\": 2,\n"
        "    \"o\": {\"a\": 1, \"b\": null}\n"
        "  },\n"
        "  \"z\": []\n"
        "}");
}

TEST_CASE("fit's JSON is its report table, top level and bootstrap", "[fields][fit]") {
  const std::string file = "tests/data/fit/subset_40_seed3.csv --form data-constrained";
  const auto json = RunRepsim("fit " + file + " --starts 5 --bootstrap 2 --format json");
  REQUIRE(json.code == 0);
  CHECK(KeysAtIndent(json.out, 2) == Strings(io::FieldNames(io::FitReportFields())));
  std::vector<std::string> boot = {"resamples", "seed", "failed"};
  for (FitParam p : FitParams(FitForm::kDataConstrained)) boot.emplace_back(ToString(p));
  boot.emplace_back("exponent_a");
  boot.emplace_back("exponent_b");
  CHECK(KeysAtIndent(json.out, 4) == boot);
  // Without a bootstrap it is null, and the report ends there.
  const auto plain = RunRepsim("fit " + file + " --starts 5 --format json");
  REQUIRE(plain.code == 0);
  CHECK(plain.out.ends_with("  \"bootstrap\": null\n}\n"));
}

TEST_CASE("plan allocate's columns are the plan point's table columns", "[fields][plan]") {
  const auto csv = RunRepsim("plan allocate --compute 1e22 --unique-tokens 25B --format csv");
  REQUIRE(csv.code == 0);
  std::vector<std::string> want = {"plan"};
  for (std::string_view n : io::FieldNames(io::PlanPointFields(), true)) want.emplace_back(n);
  for (const char* n : {"loss_vs_optimum", "unused_flops", "unused_because", "extrapolation"}) {
    want.emplace_back(n);
  }
  CHECK(CsvHeader(csv.out) == want);
  // unique_tokens is the title's, not a column.
  CHECK(std::find(want.begin(), want.end(), "unique_tokens") == want.end());
}

TEST_CASE("validate's columns are the row tables' names with the rank", "[fields][validate]") {
  auto header = [](const std::vector<std::string_view>& names) {
    std::vector<std::string> h = Strings(names);
    h.insert(h.begin() + 2, "rank");  // after candidate, evaluation
    return h;
  };
  const std::string runs = "tests/data/fit/muennighoff2023_all_runs.csv --group-by dedup";
  const auto penalty = RunRepsim("validate " + runs + " --law muennighoff2023 --format csv");
  REQUIRE(penalty.code == 0);
  CHECK(CsvHeader(penalty.out) == header(io::FieldNames(io::ValidationRowFields())));
  const auto alloc =
      RunRepsim("validate " + runs + " --law chinchilla2022 --metric allocation --format csv");
  REQUIRE(alloc.code == 0);
  CHECK(CsvHeader(alloc.out) == header(io::FieldNames(io::AllocationRowFields())));
}

TEST_CASE("select's summary.json writes the coverage and sft tables' names", "[fields][select]") {
  io::SelectRun run;
  run.rows = 10;
  run.selection.coverage = {0.5, 0.25, 3};
  run.selection.random_coverage = {0.75, 0.5, 7};
  run.sft = SftExposure{2, 100, 300, 600, 0.6};
  const std::string json = io::SelectSummaryJson(run);
  CHECK(json.find("  \"covering_radius\": 0.5,\n  \"mean_distance\": 0.25,\n"
                  "  \"farthest_row\": 3,\n") != std::string::npos);
  CHECK(ObjectKeys(json, "random") == Strings(io::FieldNames(io::CoverageFields())));
  CHECK(ObjectKeys(json, "sft") == Strings(io::FieldNames(io::SftExposureFields())));
}
