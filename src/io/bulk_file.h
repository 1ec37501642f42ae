// A large file written once, front to back, in big pieces (sweep.csv: ~370 MB
// for 10^6 points). On a disk file system it is opened with O_DIRECT: the
// bytes go from an aligned buffer of ours to the disk, not copied by the
// kernel into the page cache first. On these shared virtual machines that copy
// (copy_folio_from_iter in a profile) cost 0.1 to 0.9 CPU seconds per 360 MB,
// as much as formatting half the rows; direct I/O costs ~0.03 s of CPU
// (bench/run_sweep.sh). Where direct I/O is refused (tmpfs, some overlay file
// systems) it writes through the page cache as usual. The bytes are the same
// either way.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

#include "repsim/status.h"

namespace repsim::io {

class BulkFile {
 public:
  // Creates (truncates) `path` for writing.
  static Expected<BulkFile> Create(const std::filesystem::path& path);

  BulkFile(BulkFile&&) noexcept;
  BulkFile& operator=(BulkFile&&) noexcept;
  ~BulkFile();  // closes without reporting errors: call Close()

  // Appends `n` bytes. False on a write error (the file is then unusable).
  bool Write(const char* data, size_t n);
  // Writes what is buffered and closes. False on a write or close error.
  bool Close();
  // Whether the bytes go to the disk directly (O_DIRECT).
  bool direct() const;

 private:
  struct State;
  explicit BulkFile(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace repsim::io
