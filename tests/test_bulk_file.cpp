// io/bulk_file.h: the bytes of a file written in pieces of any size are the
// bytes given, whether it went to the disk directly (whole aligned blocks,
// then a buffered tail) or through the page cache (tmpfs refuses O_DIRECT).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "io/bulk_file.h"

namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Pieces of awkward sizes (1 byte to ~1.3 MB) adding up to `total` bytes.
std::string WriteInPieces(repsim::io::BulkFile& f, size_t total) {
  std::string all;
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  while (all.size() < total) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const size_t n = std::min<size_t>(total - all.size(), 1 + x % 1300000);
    std::string piece(n, static_cast<char>('a' + x % 26));
    piece[0] = '\n';
    REQUIRE(f.Write(piece.data(), piece.size()));
    all += piece;
  }
  return all;
}

void CheckRoundTrip(const fs::path& dir) {
  for (size_t total : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4} << 20,
                       (size_t{9} << 20) + 123}) {
    INFO(dir.string() << " " << total << " bytes");
    const fs::path path = dir / "bulk.csv";
    auto f = repsim::io::BulkFile::Create(path);
    REQUIRE(f);
    const std::string expected = WriteInPieces(*f, total);
    REQUIRE(f->Close());
    CHECK(fs::file_size(path) == expected.size());
    CHECK(ReadAll(path) == expected);
  }
}

}  // namespace

TEST_CASE("BulkFile writes exactly the bytes given, directly or not", "[bulk]") {
  const fs::path disk = fs::temp_directory_path() / ("repsim-bulk-" + std::to_string(getpid()));
  fs::create_directories(disk);
  CheckRoundTrip(disk);  // /tmp: direct I/O on a disk file system
  fs::remove_all(disk);
  if (fs::is_directory("/dev/shm")) {  // tmpfs: O_DIRECT refused, the page cache instead
    const fs::path shm = fs::path("/dev/shm") / ("repsim-bulk-" + std::to_string(getpid()));
    fs::create_directories(shm);
    CheckRoundTrip(shm);
    fs::remove_all(shm);
  }
}

TEST_CASE("BulkFile says why it cannot create a file", "[bulk]") {
  auto f = repsim::io::BulkFile::Create("/nonexistent-dir/x/sweep.csv");
  REQUIRE_FALSE(f);
  CHECK(f.error().find("/nonexistent-dir/x/sweep.csv: cannot write") == 0);
}
