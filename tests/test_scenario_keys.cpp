// The scenario-key registry (scenario_keys.h): one row per key drives the
// loader, --set, Set/Get, sweep axes, Validate(Run), the input columns,
// report.md and docs/SCENARIO.md's table of keys.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "io/columns.h"
#include "io/scenario_loader.h"
#include "repsim/scenario_keys.h"

using namespace repsim;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kBase = R"([scenario]
name = "t"
[law]
preset = "overfit2026"
[model]
params = 1e9
[data]
unique_tokens = "25B"
[training]
epochs = 4
[training.dropout]
schedule = "linear"
rate = 0.1
start_epoch = 1
end_epoch = 3
)";

constexpr std::string_view kMixture = R"([scenario]
name = "m"
[model]
params = 1e9
[[data.source]]
name = "web"
unique_tokens = "20B"
weight = 0.75
[[data.source]]
name = "code"
unique_tokens = "5B"
weight = 0.25
[training]
epochs = 4
)";

RunSpec Load(std::string_view text) {
  io::LoadResult r = io::LoadScenarioText(text, "t.toml");
  INFO(r.FormatErrors());
  REQUIRE(r.scenario);
  return r.scenario->base;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every numeric key a user may write on `spec`, its value there (or 1.5:
// keys the spec leaves unset) and a different value to set.
struct Probe {
  std::string key;
  double value;
};
std::vector<Probe> Probes(const RunSpec& spec) {
  std::vector<Probe> out;
  for (const std::string& key : ConcreteKeys(spec, true)) {
    const std::optional<double> now = GetNumber(spec, key);
    // A new value, in every key's range: weights stay in (0, 1).
    out.push_back({key, now ? (*now > 0 && *now < 1 ? *now / 2 : *now * 1.25 + 0.5) : 1.5});
  }
  return out;
}

// The law constant `key` (law.<name>) names, or nullptr.
const LawConstant* ConstantOf(std::string_view key) {
  for (const LawConstant& c : LawConstants()) {
    if (key == fmt::format("law.{}", c.name)) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("docs/SCENARIO.md's table of keys is the registry's (make doc-tables)", "[keys]") {
  const std::string doc = ReadFile(fs::path(REPSIM_SOURCE_DIR) / "docs" / "SCENARIO.md");
  const std::string begin = "<!-- repsim:keys:begin";
  const std::string end = "<!-- repsim:keys:end -->";
  const size_t b = doc.find(begin);
  REQUIRE(b != std::string::npos);
  const size_t table = doc.find('\n', b) + 1;
  const size_t e = doc.find(end, table);
  REQUIRE(e != std::string::npos);
  INFO("docs/SCENARIO.md's keys table is stale: run `make doc-tables`");
  CHECK(doc.substr(table, e - table) == io::KeysMarkdown());
}

TEST_CASE("every numeric key reads back what was set, bound or by name", "[keys]") {
  for (std::string_view text : {kBase, kMixture}) {
    const RunSpec base = Load(text);
    for (const Probe& p : Probes(base)) {
      INFO(p.key);
      const KeyInfo* row = FindKey(p.key);
      REQUIRE(row);
      RunSpec by_name = base;
      const MaybeError named = SetNumber(by_name, p.key, p.value);
      const bool plain_data_key = p.key == "data.unique_tokens" || p.key == "data.quality";
      if (const LawConstant* c = ConstantOf(p.key);
          (c && !HasConstant(base.law, *c)) || (plain_data_key && base.mixture)) {
        CHECK(named);  // not a constant of this law, or a mixture's: refused
        continue;
      }
      REQUIRE_FALSE(named);
      CHECK(GetNumber(by_name, p.key) == p.value);
      // The bound setter (a sweep axis's) does exactly what SetNumber does.
      Expected<KeySetter> set = BindNumber(base, p.key);
      REQUIRE(set);
      RunSpec bound = base;
      REQUIRE_FALSE((*set)(bound, p.value));
      for (const std::string& other : ConcreteKeys(base, true)) {
        INFO(other);
        CHECK(GetNumber(bound, other) == GetNumber(by_name, other));
      }
    }
  }
}

TEST_CASE("a key that cannot be bound says why, as SetNumber does", "[keys]") {
  const RunSpec base = Load(kBase);
  RunSpec spec = base;
  for (std::string_view key : {"training.epoch", "model.objective", "data.source.web.weight"}) {
    INFO(key);
    const Expected<KeySetter> set = BindNumber(base, key);
    REQUIRE_FALSE(set);
    const MaybeError e = SetNumber(spec, key, 0.5);
    REQUIRE(e);
    CHECK(set.error() == *e);
  }
}

TEST_CASE("Validate names the key, its value and its range (the rows' ranges)", "[keys]") {
  const RunSpec base = Load(kBase);
  // What a user is told for each bound, written out: the messages of the
  // ranges MODEL.md §3 gives these terms.
  const std::pair<std::string_view, double> bad[] = {
      {"modifiers.c_drop", 1.5},
      {"modifiers.g0", -1},
      {"modifiers.eta", 11},
      {"modifiers.size_gamma", -10.5},
      {"modifiers.objective_multiplier", 0},
      {"modifiers.displacement", 101},
      {"modifiers.memorization_capacity", 2e6},
      {"training.dropout.rate", 1},
      {"training.dropout.start_epoch", -1},
  };
  const std::string_view said[] = {
      "modifiers.c_drop = 1.5: must be in [0, 1]",
      "modifiers.g0 = -1: must be in [0, 1e6]",
      "modifiers.eta = 11: must be in [-10, 10]",
      "modifiers.size_gamma = -10.5: must be in [-10, 10]",
      "modifiers.objective_multiplier = 0: must be > 0 and <= 1e6",
      "modifiers.displacement = 101: must be in [0, 100]",
      "modifiers.memorization_capacity = 2000000: must be > 0 and <= 1e6",
      "training.dropout.rate = 1: must be in [0, 1)",
      "training.dropout.start_epoch = -1: must be in [0, 1e12]",
  };
  for (size_t i = 0; i < std::size(bad); ++i) {
    INFO(bad[i].first);
    RunSpec spec = base;
    REQUIRE_FALSE(SetNumber(spec, bad[i].first, bad[i].second));
    const Expected<Run> run = Resolve(spec);
    REQUIRE_FALSE(run);
    CHECK(run.error() == said[i]);
    CHECK(run.error_key() == bad[i].first);
  }
}

TEST_CASE("each section of a scenario file allows the registry's keys, in its order", "[keys]") {
  std::string text(kBase);
  text += "[modifiers]\nc_dorp = 0.5\n";
  const io::LoadResult r = io::LoadScenarioText(text, "t.toml");
  REQUIRE_FALSE(r.scenario);
  std::string allowed;
  for (const KeyInfo* k : SectionKeys("modifiers")) {
    allowed += (allowed.empty() ? "" : ", ") + k->path.substr(std::string("modifiers.").size());
  }
  CHECK(allowed ==
        "c_drop, g0, eta, size_gamma, objective_multiplier, displacement, memorization_capacity, "
        "weight_decay_shape, weight_decay_factor");
  CHECK(r.FormatErrors().find("unknown key 'modifiers.c_dorp', did you mean 'c_drop'?") !=
        std::string::npos);
  CHECK(r.FormatErrors().find("(allowed here: " + allowed + ")") != std::string::npos);
}

TEST_CASE("every key with an input column has it, as an input, in every output", "[keys]") {
  const RunSpec base = Load(kBase);
  const Expected<Run> run = Resolve(base);
  REQUIRE(run);
  for (const KeyInfo* k : ColumnKeys()) {
    INFO(k->path);
    const io::Column* c = io::FindColumn(k->column);
    REQUIRE(c);
    CHECK(c->role == io::ColumnRole::kInput);
    CHECK(c->key == k);
    if (k->get && !k->path.starts_with("data.") && k->path != "modifiers.objective_multiplier" &&
        k->path != "training.dropout.end_epoch") {
      // A key the spec holds as the run does: the column writes the set value.
      CHECK(c->Value(*run, Summary{}) == GetNumber(base, k->path));
    }
  }
}
