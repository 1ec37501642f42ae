// Staging folders left by killed runs (issue 22: SIGKILL left ~570 MB
// `results/.NAME.tmp-PID` folders that no later run removed): the next
// Staging::Create removes those whose process is gone or whose process id
// was reused, and keeps those a live process may still be writing.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/cli_util.h"
#include "io/staging.h"

namespace fs = std::filesystem;

namespace {

// The id of a process that has exited (and been reaped).
pid_t DeadPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

fs::path MakeStaging(const fs::path& dir, const std::string& name, long pid) {
  fs::path p = dir / (".") += name + ".tmp-" + std::to_string(pid);
  fs::create_directories(p);
  std::ofstream(p / "summary.csv") << "partial\n";
  return p;
}

}  // namespace

TEST_CASE("stale staging folders of dead or reused process ids are removed", "[staging]") {
  repsim::test::TempDir tmp;
  const fs::path dead = MakeStaging(tmp.path(), "a", DeadPid());
  // Process 1 is alive and started at boot: a folder written before it
  // started belongs to an earlier process with the same id.
  const fs::path reused = MakeStaging(tmp.path(), "b", 1);
  fs::last_write_time(reused, fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 30));
  // A live process that may still be writing: kept.
  const fs::path live = MakeStaging(tmp.path(), "c", getppid());
  // Not staging folders: kept.
  fs::create_directories(tmp.path() / "d");
  fs::create_directories(tmp.path() / ".e.tmp-x1");
  std::ofstream(tmp.path() / (".f.tmp-" + std::to_string(DeadPid()))) << "a file, not a folder";

  CHECK(repsim::io::RemoveStaleStaging(tmp.path()) == 2);
  CHECK_FALSE(fs::exists(dead));
  CHECK_FALSE(fs::exists(reused));
  CHECK(fs::exists(live));
  CHECK(fs::exists(tmp.path() / "d"));
  CHECK(fs::exists(tmp.path() / ".e.tmp-x1"));
}

TEST_CASE("the next `repsim run` removes a killed run's staging folder", "[staging][cli]") {
  repsim::test::TempDir tmp;
  const fs::path dead = MakeStaging(tmp.path(), "t5-base-token-crisis", DeadPid());
  auto r = repsim::test::RunRepsim("run --quiet scenarios/t5-base-token-crisis.toml --out '" +
                                   tmp.str() + "'");
  CHECK(r.code == 0);
  CHECK_FALSE(fs::exists(dead));
  CHECK(fs::exists(tmp.path() / "t5-base-token-crisis" / "summary.json"));
}
