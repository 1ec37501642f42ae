// The bad-input corpus (tests/bad/*.toml): every file must fail `check` and
// `run` with exit code 2, a message that names the place (file:line:col, or
// the file for whole-file errors) and contains the text after "# expect:" on
// its first line, and write nothing. Also: every numeric key fed zero,
// negative, NaN, infinite and absurd values.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "cli_util.h"
#include "io/scenario_loader.h"
#include "repsim/engine.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("every file of the bad-input corpus is refused with its message", "[bad]") {
  const fs::path dir = fs::path(REPSIM_SOURCE_DIR) / "tests" / "bad";
  int files = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    ++files;
    const std::string text = ReadFile(e.path());
    const std::string first = text.substr(0, text.find('\n'));
    REQUIRE(first.rfind("# expect: ", 0) == 0);
    const std::string expect = first.substr(10);
    const std::string rel = "tests/bad/" + e.path().filename().string();
    INFO(rel);
    auto r = repsim::io::LoadScenarioFile(
        rel.c_str()[0] == '/' ? rel : (fs::path(REPSIM_SOURCE_DIR) / rel).string());
    REQUIRE_FALSE(r.scenario);
    const std::string msg = r.FormatErrors();
    INFO(msg);
    CHECK(msg.find(expect) != std::string::npos);
    CHECK(msg.find(": error: ") != std::string::npos);
  }
  CHECK(files >= 30);
}

TEST_CASE("the binary refuses the corpus with exit 2 and writes nothing", "[bad][cli]") {
  TempDir tmp;
  const fs::path dir = fs::path(REPSIM_SOURCE_DIR) / "tests" / "bad";
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    const std::string rel = "tests/bad/" + e.path().filename().string();
    INFO(rel);
    auto c = RunRepsim("check " + rel);
    CHECK(c.code == 2);
    CHECK(c.err.rfind(rel + ":", 0) == 0);  // the place comes first
    auto r = RunRepsim("run " + rel + " --out '" + tmp.str() + "'");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
  }
  CHECK(fs::is_empty(tmp.path()));
}

TEST_CASE("unreadable files", "[bad][cli]") {
  TempDir tmp;
  auto missing = RunRepsim("check '" + tmp.str() + "/nope.toml'");
  CHECK(missing.code == 2);
  CHECK(missing.err.find("nope.toml: error: cannot read the file: No such file or directory") !=
        std::string::npos);
  auto folder = RunRepsim("check '" + tmp.str() + "'");
  CHECK(folder.code == 2);
  CHECK(folder.err.find("error: cannot read the file") != std::string::npos);
}

TEST_CASE("every numeric key refuses NaN, infinities and absurd values", "[bad]") {
  // Each key, where it lives, and a base that uses it (linear dropout uses all
  // three dropout keys).
  struct Key {
    std::string section, name;
  };
  const Key keys[] = {
      {"law", "E"},
      {"law", "A"},
      {"law", "B"},
      {"law", "alpha"},
      {"law", "beta"},
      {"law", "rd_star"},
      {"law", "rn_star"},
      {"model", "params"},
      {"model", "active_params"},
      {"data", "unique_tokens"},
      {"data", "quality"},
      {"training", "epochs"},
      {"training.dropout", "rate"},
      {"training.dropout", "start_epoch"},
      {"training.dropout", "end_epoch"},
      {"modifiers", "c_drop"},
      {"modifiers", "g0"},
      {"modifiers", "eta"},
      {"modifiers", "size_gamma"},
      {"modifiers", "objective_multiplier"},
      {"modifiers", "displacement"},
      {"modifiers", "memorization_capacity"},
      {"output", "trajectory_points"},
  };
  const char* base_values[][2] = {
      {"law", "preset = \"muennighoff2023\""},
      {"model", "params = 1e9"},
      {"data", "unique_tokens = 1e10"},
      {"training", "epochs = 8"},
      {"training.dropout", "schedule = \"linear\"\nrate = 0.1\nstart_epoch = 1\nend_epoch = 8"},
      {"modifiers", "c_drop = 0.5"},
      {"output", "trajectory_points = 8"},
  };
  for (const Key& k : keys) {
    for (const char* value : {"nan", "inf", "-inf", "1e300", "-1e300", "0", "-1"}) {
      std::string text = "[scenario]\nname = \"t\"\n";
      int line = 2, key_line = 0;
      for (auto& [section, body] : base_values) {
        text += fmt::format("[{}]\n", section);
        ++line;
        std::string b = body;
        // Replace the key's own line, or add it.
        const std::string prefix = k.name + " = ";
        size_t at = b.find(prefix);
        if (section == k.section) {
          const std::string assignment = prefix + value;
          if (at != std::string::npos && (at == 0 || b[at - 1] == '\n')) {
            const size_t end = b.find('\n', at);
            b.replace(at, end == std::string::npos ? std::string::npos : end - at, assignment);
          } else {
            b += "\n" + assignment;
          }
          // The line the key is on.
          int l = line;
          size_t pos = 0;
          while (true) {
            ++l;
            const size_t nl = b.find('\n', pos);
            if (b.compare(pos, assignment.size(), assignment) == 0) break;
            if (nl == std::string::npos) break;
            pos = nl + 1;
          }
          key_line = l;
        }
        text += b + "\n";
        line += static_cast<int>(std::count(b.begin(), b.end(), '\n')) + 1;
      }
      const std::string full = k.section + "." + k.name;
      INFO(full << " = " << value << "\n" << text);
      auto r = repsim::io::LoadScenarioText(text, "t.toml");
      const std::string v = value;
      const bool must_refuse = v != "0" && v != "-1";
      if (!r.scenario) {
        REQUIRE_FALSE(r.errors.empty());
        const std::string msg = r.FormatErrors();
        INFO(msg);
        CHECK(msg.rfind(fmt::format("t.toml:{}:", key_line), 0) == 0);
        CHECK(msg.find(k.name) != std::string::npos);
      } else {
        CHECK_FALSE(must_refuse);
        auto run = repsim::Resolve(r.scenario->base);
        REQUIRE(run.ok());
        const repsim::Summary s = repsim::Evaluate(*run);
        CHECK(std::isfinite(s.loss_repeated));
        CHECK(std::isfinite(s.delta));
      }
    }
  }
}
