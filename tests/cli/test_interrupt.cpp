// SIGINT / SIGTERM in the middle of a large sweep: the previous results stay
// as they were and no temporary folder is left behind (issue: reliability).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "../grid_toml.h"
#include "cli_util.h"

namespace fs = std::filesystem;
using repsim::test::ReadFile;
using repsim::test::TempDir;

namespace {

// A grid of 4e6 points: several seconds of work, far more than the test waits.
const std::string kLargeSweep = repsim::test::EpochsUniqueGrid("big", 2000, 2000);

bool HasHiddenEntries(const fs::path& dir) {
  for (auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string()[0] == '.') return true;
  }
  return false;
}

void InterruptMidSweep(int sig) {
  TempDir tmp;
  {
    std::ofstream f(tmp.path() / "big.toml");
    f << kLargeSweep;
  }
  fs::create_directories(tmp.path() / "out" / "big");
  {
    std::ofstream f(tmp.path() / "out" / "big" / "summary.csv");
    f << "previous results\n";
  }
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (chdir(tmp.str().c_str()) != 0) _exit(99);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(REPSIM_BINARY, REPSIM_BINARY, "run", "big.toml", "--out", "out", nullptr);
    _exit(98);
  }
  // Wait until the run is staging its results, then interrupt it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!HasHiddenEntries(tmp.path() / "out") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(HasHiddenEntries(tmp.path() / "out"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  kill(pid, sig);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 128 + sig);
  CHECK(ReadFile(tmp.path() / "out" / "big" / "summary.csv") == "previous results\n");
  CHECK_FALSE(fs::exists(tmp.path() / "out" / "big" / "sweep.csv"));
  CHECK_FALSE(HasHiddenEntries(tmp.path() / "out"));
}

}  // namespace

TEST_CASE("SIGINT during a sweep leaves the previous results intact", "[cli][interrupt]") {
  InterruptMidSweep(SIGINT);
}

TEST_CASE("SIGTERM during a sweep leaves the previous results intact", "[cli][interrupt]") {
  InterruptMidSweep(SIGTERM);
}
