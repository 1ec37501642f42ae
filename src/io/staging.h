// Where results are written before they count: a temporary folder that
// replaces the final one only when everything was written (STYLE.md: nothing
// half-written), or memory (`repsim serve`).
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "repsim/status.h"

namespace repsim::io {

// Removes the staging folders (".NAME.tmp-PID") in `out_dir` left by runs
// that were killed: those whose process is gone, or whose process id now
// belongs to a process that started after the folder was last written (the
// id was reused). Returns how many were removed. Staging::Create calls it.
int RemoveStaleStaging(const std::filesystem::path& out_dir);

// A temporary folder next to the final one; Commit() swaps it into place.
// Destroyed uncommitted, it removes itself.
//
// An in-memory staging (InMemory(), for `repsim serve`) touches no file:
// what is written stays in memory (Files()), Commit() does nothing, and
// plots are not rendered (their scripts and data are kept).
class Staging {
 public:
  // Error when the output folder cannot be created or is not a folder.
  static Expected<Staging> Create(const std::filesystem::path& out_dir, const std::string& name);
  static Staging InMemory(const std::string& name);
  Staging(Staging&& other) noexcept;
  Staging& operator=(Staging&&) = delete;
  ~Staging();

  // On disk: the temporary folder; in memory: empty.
  const std::filesystem::path& dir() const { return tmp_; }
  const std::filesystem::path& final_dir() const { return final_; }
  bool in_memory() const { return memory_ != nullptr; }
  MaybeError Write(const std::string& file, const std::string& content) const;
  // A stream for a large file (closed by the caller with fclose); nullptr on failure.
  FILE* Open(const std::string& file) const;
  // Whether `file` was written.
  bool Has(const std::string& file) const;
  // In memory: every file written so far (streams once closed), by name.
  std::map<std::string, std::string> Files() const;
  MaybeError Commit();

 private:
  struct Memory;
  Staging(std::filesystem::path tmp, std::filesystem::path final_dir);
  std::filesystem::path tmp_, final_;
  bool done_ = false;
  std::unique_ptr<Memory> memory_;
};

// One file written whole or not at all: `text` goes to a temporary file in
// the same folder ("PATH.tmp-PID"), renamed onto `path` once complete (an
// existing file is replaced only then). Error: "PATH: cannot write (why)",
// and no temporary file is left behind.
MaybeError WriteFileWhole(const std::filesystem::path& path, std::string_view text);

}  // namespace repsim::io
