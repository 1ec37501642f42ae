// The pre-parse guard (io/toml_guard.h): what it refuses, where, and that it
// lets every real scenario through. The 60,000-part key of issue 22 killed
// the process inside toml++ (exit 139); here it is a located error in the
// loader, the CLI and /api/check (python/tests covers repsim.Scenario).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_util.h"
#include "io/scenario_loader.h"
#include "io/toml_guard.h"
#include "serve/serve_api.h"

using repsim::io::CheckTomlText;
using repsim::io::LoadScenarioText;
namespace fs = std::filesystem;

namespace {

std::string Repeat(const std::string& part, size_t n, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? sep : "") + part;
  return out;
}

// The guard's message for `text`, or "" when it lets it through.
std::string Refusal(const std::string& text) {
  auto d = CheckTomlText(text, "t.toml");
  return d ? fmt::format("{}:{}: {}", d->line, d->column, d->message) : "";
}

}  // namespace

TEST_CASE("every shipped scenario and example passes the guard", "[guard]") {
  int files = 0;
  for (const char* dir : {"scenarios", "examples", "tests/bad"}) {
    for (auto& e : fs::recursive_directory_iterator(fs::path(REPSIM_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".toml") continue;
      if (e.path().filename().string().rfind("guard-", 0) == 0) continue;  // the guard's own
      ++files;
      INFO(e.path().string());
      CHECK(Refusal(repsim::test::ReadFile(e.path())).empty());
    }
  }
  CHECK(files > 40);
}

TEST_CASE("keys and headers with too many dotted parts are located", "[guard]") {
  CHECK(Refusal(Repeat("a", 64, ".") + " = 1\n").empty());
  CHECK(Refusal(Repeat("a", 65, ".") + " = 1\n") ==
        "1:1: a key of 65 dotted parts: at most 64 are allowed");
  CHECK(Refusal("x = 1\n\n  [" + Repeat("a", 100, ".") + "]\n") ==
        "3:4: a table header of 100 dotted parts: at most 64 are allowed");
  CHECK(Refusal("[[" + Repeat("a", 100, " . ") + "]]\n") ==
        "1:3: a table header of 100 dotted parts: at most 64 are allowed");
  // Quoted parts count the same; a dot inside quotes is not a separator.
  CHECK(Refusal(Repeat("\"a.b\"", 70, ".") + " = 1\n") ==
        "1:1: a key of 70 dotted parts: at most 64 are allowed");
  CHECK(Refusal("\"" + Repeat("a", 1000, ".") + "\" = 1\n").empty());
  CHECK(Refusal(Repeat("'a'", 70, ".") + " = 1\n").find("70 dotted parts") != std::string::npos);
  // Depth adds up: header + key, and the keys of inline tables.
  CHECK(Refusal("[" + Repeat("a", 64, ".") + "]\n" + Repeat("b", 64, ".") + " = 1\n").empty());
  CHECK(Refusal("[" + Repeat("a", 64, ".") + "]\n" + Repeat("b", 65, ".") + " = 1\n")
            .find("65 dotted parts") != std::string::npos);
  CHECK(Refusal("[" + Repeat("a", 64, ".") + "]\n" + Repeat("b", 60, ".") + " = { " +
                Repeat("c", 5, ".") + " = 1 }\n") ==
        "2:125: a key 129 levels below the top (its table's and enclosing inline tables' keys "
        "included): at most 128 are allowed");
  // Strings that look like keys are not keys.
  CHECK(Refusal("s = \"\"\"\n" + Repeat("a", 100, ".") + " = 1\n\"\"\"\n").empty());
  CHECK(Refusal("s = '''\n" + Repeat("a", 100, ".") + " = 1\n'''\n").empty());
  CHECK(Refusal("# " + Repeat("a", 100, ".") + " = 1\n").empty());
  CHECK(Refusal("s = [\"x\", # c\n  \"" + Repeat("a", 100, ".") + "\"]\n").empty());
}

TEST_CASE("nesting, size and line count are bounded", "[guard]") {
  CHECK(Refusal("a = " + Repeat("[", 64, "") + Repeat("]", 64, "") + "\n").empty());
  CHECK(Refusal("a = " + Repeat("[", 65, "") + Repeat("]", 65, "") + "\n") ==
        "1:69: arrays and inline tables nested more than 64 deep: at most 64 levels are allowed");
  CHECK(Refusal("a = " + Repeat("{b = ", 70, "") + "1" + Repeat("}", 70, "") + "\n")
            .find("nested more than 64 deep") != std::string::npos);
  // Unclosed brackets do not make the guard recurse without end.
  CHECK(Refusal("a = " + std::string(100000, '[')).find("nested more than 64") !=
        std::string::npos);
  CHECK(Refusal(std::string(100000, '\n')).empty());
  CHECK(Refusal(std::string(100001, '\n')) ==
        "100001:1: the text has 100001 lines: at most "
        "100000 are read");
  auto big = CheckTomlText(std::string((4u << 20) + 1, '#'), "t.toml");
  REQUIRE(big);
  CHECK(big->line == 0);
  CHECK(big->message == "the text is 4194305 bytes: at most 4194304 bytes (4 MiB) are read");
}

TEST_CASE("a syntax error the guard does not follow cannot hide a deep key", "[guard]") {
  // The guard gives up on the malformed line and checks the next ones.
  CHECK(Refusal("x = = ]]\n" + Repeat("a", 100, ".") + " = 1\n")
            .find("2:1: a key of 100 dotted parts") == 0);
  // Inside an unclosed array the dotted run is a (bad) value to toml++ too,
  // not a key: its syntax error, no crash.
  const std::string open_array = "x = [1, 2\n" + Repeat("a", 60000, ".") + " = 1\n";
  CHECK(Refusal(open_array).empty());
  CHECK(LoadScenarioText(open_array, "t.toml").FormatErrors().find("malformed TOML") !=
        std::string::npos);
}

TEST_CASE("the 60,000-part key of issue 22 is an error, not a crash", "[guard][cli]") {
  const std::string key = Repeat("a", 60000, ".") + " = 1\n";
  const std::string header = "[" + Repeat("a", 60000, ".") + "]\n";
  for (const std::string& text : {key, header}) {
    auto r = LoadScenarioText(text, "d.toml");
    REQUIRE_FALSE(r.scenario);
    CHECK(r.FormatErrors().rfind("d.toml:1:", 0) == 0);
    CHECK(r.FormatErrors().find("60000 dotted parts: at most 64 are allowed") != std::string::npos);
    // The server's handler (POST /api/check).
    const repsim::io::ApiReply reply = repsim::io::ApiCheck(text, repsim::io::ServeLimits{});
    CHECK(reply.status == 400);
    CHECK(reply.body.find("60000 dotted parts") != std::string::npos);
  }
  // The binary: exit 2 with the located error (was 139, SIGSEGV).
  repsim::test::TempDir tmp;
  std::ofstream(tmp.path() / "d.toml") << key;
  std::ofstream(tmp.path() / "h.toml") << header;
  for (const char* f : {"d.toml", "h.toml"}) {
    auto c = repsim::test::RunRepsim(fmt::format("check {}", f), tmp.str());
    CHECK(c.code == 2);
    CHECK(c.err.rfind(fmt::format("{}:1:", f), 0) == 0);
    CHECK(c.err.find("60000 dotted parts") != std::string::npos);
  }
}

TEST_CASE("the CLI stops reading a scenario past 4 MiB", "[guard][cli]") {
  const auto t0 = std::chrono::steady_clock::now();
  auto c = repsim::test::RunRepsim("check /dev/zero");
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(c.code == 2);
  CHECK(c.err.find("/dev/zero: error: the file is over 4194304 bytes") == 0);
  CHECK(took < 5);
  auto s = repsim::test::RunRepsim("check - < /dev/zero");
  CHECK(s.code == 2);
  CHECK(s.err.find("<stdin>: error: the file is over 4194304 bytes") == 0);
}
