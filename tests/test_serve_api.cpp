// The pieces of `repsim serve` that need no socket (serve/serve_api.h, io/zip.h,
// Staging::InMemory). The server itself is tested over loopback by
// tests/serve/test_serve_api.py and in a browser by tests/serve/test_browser.py.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "cli/cli_util.h"
#include "grid_toml.h"
#include "io/results.h"
#include "io/scenario_loader.h"
#include "io/sweep_writer.h"
#include "io/zip.h"
#include "serve/serve_api.h"

using namespace repsim;
using repsim::test::ReadFile;
using repsim::test::TempDir;

namespace {

uint32_t Le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
uint32_t Le16(const std::string& s, size_t at) {
  return static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8);
}

const char* kSmall = R"([scenario]
name = "small"
[model]
params = "1B"
[data]
unique_tokens = "10B"
[training]
epochs = 4
)";

}  // namespace

TEST_CASE("a stored zip has the layout of PKWARE's APPNOTE and the standard CRC-32", "[serve]") {
  const std::optional<std::string> zip = io::StoredZip({{"a/check.txt", "123456789"}});
  REQUIRE(zip);
  const std::string& z = *zip;
  // Local file header: signature, method 0 (stored), CRC-32 of "123456789"
  // (0xCBF43926: the check value of the CRC-32 used by zip, IEEE 802.3),
  // sizes 9 and 9, the name, the data.
  CHECK(Le32(z, 0) == 0x04034b50);
  CHECK(Le16(z, 8) == 0);
  CHECK(Le32(z, 14) == 0xCBF43926u);
  CHECK(Le32(z, 18) == 9);
  CHECK(Le32(z, 22) == 9);
  CHECK(Le16(z, 26) == 11);
  CHECK(z.substr(30, 11) == "a/check.txt");
  CHECK(z.substr(41, 9) == "123456789");
  // Central directory right after, then the end record pointing at it.
  CHECK(Le32(z, 50) == 0x02014b50);
  const size_t end = z.size() - 22;
  CHECK(Le32(z, end) == 0x06054b50);
  CHECK(Le16(z, end + 10) == 1);        // entries
  CHECK(Le32(z, end + 16) == 50);       // central directory offset
  CHECK(Le32(z, end + 12) == 46 + 11);  // its size: fixed part + name
  // An empty archive is the end record alone.
  CHECK(io::StoredZip({})->size() == 22);
}

TEST_CASE("an in-memory staging holds the files a run on disk writes, byte for byte", "[serve]") {
  const std::string text = repsim::test::EpochsUniqueGrid("grid", 7, 5, "plots = true");
  io::LoadResult loaded = io::LoadScenarioText(text, "grid.toml");
  REQUIRE(loaded.scenario);
  Expected<ScenarioResults> r = EvaluateScenario("grid.toml", *loaded.scenario);
  REQUIRE(r);

  TempDir tmp;
  Expected<io::Staging> disk = io::Staging::Create(tmp.path(), "grid");
  REQUIRE(disk);
  io::Staging memory = io::Staging::InMemory("grid");
  for (io::Staging* s : {&*disk, &memory}) {
    io::SweepReport report;
    REQUIRE_FALSE(io::RunSweep(*loaded.scenario, io::SweepOptions{}, *s, &report));
    ScenarioResults copy = *r;
    copy.sweep_markdown = report.markdown;
    REQUIRE_FALSE(io::WriteResults(copy, *s));
  }
  REQUIRE_FALSE(disk->Commit());
  const auto files = memory.Files();
  CHECK(files.size() >= 6);
  for (const auto& [name, data] : files) {
    INFO(name);
    CHECK(data == ReadFile(tmp.path() / "grid" / name));
  }
  CHECK(memory.Has("sweep.csv"));
  CHECK_FALSE(memory.Has("no-such-file"));
}

TEST_CASE("the API answers bad input with 400 and the located diagnostic", "[serve]") {
  const io::ServeLimits limits;
  std::string text = kSmall;
  text.replace(text.find("\"1B\""), 4, "-1");  // line 4: params = -1
  const io::ApiReply bad = io::ApiRun(text, limits, {});
  INFO(bad.body);
  CHECK(bad.status == 400);
  CHECK(bad.body.find("\"line\": 4") != std::string::npos);
  CHECK(bad.body.find("model.params") != std::string::npos);

  // Bytes that are not UTF-8 come back replaced, so that the JSON stays valid.
  const io::ApiReply garbage = io::ApiCheck("name = \"\xff\xfe\"\n", limits);
  CHECK(garbage.status == 400);
  CHECK(garbage.body.find('\xff') == std::string::npos);

  io::ServeLimits tight;
  tight.max_sweep_points = 34;  // the grid below has 35
  const io::ApiReply over = io::ApiRun(repsim::test::EpochsUniqueGrid("grid", 7, 5), tight, {});
  CHECK(over.status == 400);
  CHECK(over.body.find("35 points") != std::string::npos);
  CHECK(over.body.find("--max-sweep-points") != std::string::npos);

  const io::ApiReply ok = io::ApiRun(kSmall, limits, {});
  CHECK(ok.status == 200);
  CHECK(ok.body.find("\"trajectory\": [") != std::string::npos);
  CHECK(ok.body.find("\"sweep\"") == std::string::npos);
}
