// `repsim run --shard I/N` and `repsim merge`, through the real binary:
// shards merged are byte for byte the unsharded run, and every way the
// shards can be incomplete or inconsistent is an error with exit code 2.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_util.h"
#include "grid_toml.h"

using repsim::test::ReadFile;
using repsim::test::RunRepsim;
using repsim::test::TempDir;
namespace fs = std::filesystem;

namespace {

void WriteText(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

// 7 x 9 = 63 points: 4 shards of 15 or 16 rows. Plots on, so that merge's
// heatmap and report.md are compared too.
const std::string kSweep = repsim::test::EpochsUniqueGrid("sharded", 7, 9, "trajectory_points = 8");

// The same grid over a different base: shards of it must not mix with kSweep's.
std::string OtherBase() {
  std::string s = kSweep;
  s.replace(s.find("params = 1e9"), 12, "params = 2e9");
  return s;
}

struct Shards {
  TempDir tmp;
  Shards(const std::string& text, int n) {
    WriteText(tmp.path() / "s.toml", text);
    for (int i = 1; i <= n; ++i) {
      auto r = RunRepsim(fmt("run s.toml -q --shard {}/{} --out shards/{}", i, n, i), tmp.str());
      INFO(r.err);
      REQUIRE(r.code == 0);
    }
  }
  static std::string fmt(const char* f, int a, int b, int c) {
    std::string s = f;
    for (int v : {a, b, c}) s.replace(s.find("{}"), 2, std::to_string(v));
    return s;
  }
  fs::path Dir(int i) const { return tmp.path() / "shards" / std::to_string(i) / "sharded"; }
};

}  // namespace

TEST_CASE("merged shards are byte for byte the unsharded run", "[merge][cli]") {
  Shards s(kSweep, 4);
  auto whole = RunRepsim("run s.toml -q --out whole", s.tmp.str());
  REQUIRE(whole.code == 0);
  // Each shard holds its slice and says which.
  const std::string meta = ReadFile(s.Dir(2) / "sweep.shard.toml");
  CHECK(meta.find("shard = 2") != std::string::npos);
  CHECK(meta.find("shards = 4") != std::string::npos);
  CHECK(meta.find("grid_points = 63") != std::string::npos);
  CHECK_FALSE(fs::exists(s.Dir(2) / "sweep_heatmap.dat"));  // drawn by merge, from the whole grid

  // Shards given in any order, as their --out folders.
  auto m = RunRepsim("merge shards/3 shards/1 shards/4 shards/2 --out merged", s.tmp.str());
  INFO(m.err);
  REQUIRE(m.code == 0);
  CHECK(m.out.find("sharded: merged 4 shards, 63 points (63 ok)") != std::string::npos);
  const fs::path a = s.tmp.path() / "whole" / "sharded";
  const fs::path b = s.tmp.path() / "merged" / "sharded";
  CHECK(ReadFile(b / "sweep.csv") == ReadFile(a / "sweep.csv"));
  CHECK(ReadFile(b / "report.md") == ReadFile(a / "report.md"));
  CHECK(ReadFile(b / "sweep_heatmap.dat") == ReadFile(a / "sweep_heatmap.dat"));
  CHECK(ReadFile(b / "sweep_heatmap.gp") == ReadFile(a / "sweep_heatmap.gp"));
  CHECK(ReadFile(b / "summary.csv") == ReadFile(a / "summary.csv"));
  CHECK_FALSE(fs::exists(b / "sweep.shard.toml"));

  // The shard folders themselves (with a glob) work as well.
  auto g = RunRepsim("merge shards/*/sharded --out merged2 -q", s.tmp.str());
  CHECK(g.code == 0);
  CHECK(g.out.empty());
  CHECK(ReadFile(s.tmp.path() / "merged2" / "sharded" / "sweep.csv") == ReadFile(a / "sweep.csv"));
}

TEST_CASE("merge refuses missing, repeated and foreign shards", "[merge][cli]") {
  Shards s(kSweep, 3);
  auto missing = RunRepsim("merge shards/1 shards/3 --out m", s.tmp.str());
  CHECK(missing.code == 2);
  CHECK(missing.err.find("sweep of 'sharded': 1 of 3 shards missing: 2/3") != std::string::npos);
  CHECK_FALSE(fs::exists(s.tmp.path() / "m"));

  auto twice = RunRepsim("merge shards/1 shards/2 shards/3 shards/2 --out m", s.tmp.str());
  CHECK(twice.code == 2);
  CHECK(twice.err.find("shard 2/3 of 'sharded' is given twice") != std::string::npos);

  // A shard of the same scenario name over a different base run.
  WriteText(s.tmp.path() / "other.toml", OtherBase());
  REQUIRE(RunRepsim("run other.toml -q --shard 2/3 --out other", s.tmp.str()).code == 0);
  auto foreign = RunRepsim("merge shards/1 other shards/3 --out m", s.tmp.str());
  CHECK(foreign.code == 2);
  CHECK(foreign.err.find("are not shards of the same sweep: their fingerprints") !=
        std::string::npos);

  auto not_shard = RunRepsim("merge shards/1 . --out m", s.tmp.str());
  CHECK(not_shard.code == 2);
  CHECK(not_shard.err.find("no sweep.shard.toml in it or in its folders") != std::string::npos);

  auto no_out = RunRepsim("merge shards/1 shards/2 shards/3", s.tmp.str());
  CHECK(no_out.code == 2);
  CHECK(no_out.err.find("--out DIR is required") != std::string::npos);
  CHECK_FALSE(fs::exists(s.tmp.path() / "m"));
}

TEST_CASE("merge refuses a truncated or edited shard", "[merge][cli]") {
  Shards s(kSweep, 2);
  const fs::path csv = s.Dir(2) / "sweep.csv";
  const std::string full = ReadFile(csv);
  // The last row cut off (a shard killed while writing would leave no folder,
  // but a copy can be cut short).
  WriteText(csv, full.substr(0, full.rfind('\n', full.size() - 2) + 1));
  auto cut = RunRepsim("merge shards/1 shards/2 --out m", s.tmp.str());
  CHECK(cut.code == 2);
  CHECK(cut.err.find("31 rows where 32 were expected") != std::string::npos);
  CHECK(cut.err.find("run shard 2/2 again") != std::string::npos);

  WriteText(csv, full);
  const fs::path meta = s.Dir(2) / "sweep.shard.toml";
  std::string m = ReadFile(meta);
  m.replace(m.find("begin = 31"), 10, "begin = 30");
  WriteText(meta, m);
  auto edited = RunRepsim("merge shards/1 shards/2 --out m", s.tmp.str());
  CHECK(edited.code == 2);
  CHECK(edited.err.find("do not match the axes") != std::string::npos);
  CHECK_FALSE(fs::exists(s.tmp.path() / "m"));
}

TEST_CASE("merge --help explains, with a Slurm example", "[merge][cli]") {
  auto h = RunRepsim("merge --help");
  CHECK(h.code == 0);
  CHECK(h.out.find("Usage: repsim merge SHARD_DIR... --out DIR") != std::string::npos);
  CHECK(h.out.find("#SBATCH --array=1-8") != std::string::npos);
  CHECK(h.out.find("--shard ${SLURM_ARRAY_TASK_ID}/8") != std::string::npos);
  CHECK(RunRepsim("merge").code == 2);
}
