// Running the real `repsim` binary from tests (tests/test_cli*.cpp).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace repsim::test {

struct CmdResult {
  int code = -1;
  std::string out, err;
};

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs `repsim ARGS` through the shell in `cwd` (default: the source tree).
inline CmdResult RunRepsim(const std::string& args, const std::string& cwd = REPSIM_SOURCE_DIR) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("repsim-cli-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  const std::string cmd = "cd '" + cwd + "' && '" REPSIM_BINARY "' " + args + " >'" +
                          (dir / "out").string() + "' 2>'" + (dir / "err").string() + "'";
  const int status = std::system(cmd.c_str());
  CmdResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(dir / "out");
  r.err = ReadFile(dir / "err");
  std::filesystem::remove_all(dir);
  return r;
}

// A fresh, empty temporary folder, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("repsim-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace repsim::test
