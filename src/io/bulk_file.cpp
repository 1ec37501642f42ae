#include "io/bulk_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace repsim::io {
namespace {

// Direct I/O moves whole blocks from aligned memory: 4096 bytes covers the
// logical block size of every disk we meet (512 or 4096).
constexpr size_t kAlign = 4096;
// Bytes gathered before each direct write (a multiple of kAlign).
constexpr size_t kBlock = size_t{4} << 20;

// Writes all `n` bytes (retrying short writes and EINTR).
bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

struct BulkFile::State {
  int fd = -1;
  bool direct = false;
  char* buffer = nullptr;  // kBlock bytes, kAlign-aligned (direct only)
  size_t used = 0;
  bool failed = false;

  ~State() {
    if (fd >= 0) ::close(fd);
    std::free(buffer);
  }
  // Leaves direct I/O: later writes go through the page cache.
  bool Buffered() {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_DIRECT) < 0) return false;
    direct = false;
    return true;
  }
  // Writes the first `n` buffered bytes (n a multiple of kAlign) directly;
  // on EINVAL (direct I/O refused after all) through the page cache.
  bool Flush(size_t n) {
    if (n == 0) return true;
    if (direct) {
      const ssize_t w = ::write(fd, buffer, n);
      if (w == static_cast<ssize_t>(n)) return true;
      if (w < 0 && errno != EINVAL) return false;
      if (w > 0) return false;  // a short direct write: the disk is full
      if (!Buffered()) return false;
    }
    return WriteAll(fd, buffer, n);
  }
};

BulkFile::BulkFile(std::unique_ptr<State> state) : state_(std::move(state)) {}
BulkFile::BulkFile(BulkFile&&) noexcept = default;
BulkFile& BulkFile::operator=(BulkFile&&) noexcept = default;
BulkFile::~BulkFile() = default;

Expected<BulkFile> BulkFile::Create(const std::filesystem::path& path) {
  auto s = std::make_unique<State>();
  s->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
  s->direct = s->fd >= 0;
  if (s->fd < 0) s->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (s->fd < 0)
    return Error{fmt::format("{}: cannot write ({})", path.string(), std::strerror(errno))};
  if (s->direct) {
    s->buffer = static_cast<char*>(std::aligned_alloc(kAlign, kBlock));
    if (!s->buffer && !s->Buffered()) {
      return Error{fmt::format("{}: cannot write", path.string())};
    }
  }
  return BulkFile(std::move(s));
}

bool BulkFile::direct() const { return state_ && state_->direct; }

bool BulkFile::Write(const char* data, size_t n) {
  State& s = *state_;
  if (s.failed) return false;
  if (!s.direct) {
    // Gathered pieces first (from before a fallback), then straight through.
    if (s.used && !WriteAll(s.fd, s.buffer, s.used)) return !(s.failed = true);
    s.used = 0;
    if (!WriteAll(s.fd, data, n)) return !(s.failed = true);
    return true;
  }
  while (n > 0) {
    const size_t take = std::min(n, kBlock - s.used);
    std::memcpy(s.buffer + s.used, data, take);
    s.used += take;
    data += take;
    n -= take;
    if (s.used == kBlock) {
      if (!s.Flush(kBlock)) return !(s.failed = true);
      s.used = 0;
      if (!s.direct) return Write(data, n);
    }
  }
  return true;
}

bool BulkFile::Close() {
  if (!state_) return false;
  State& s = *state_;
  bool ok = !s.failed;
  if (ok && s.used) {
    // The whole blocks directly, the tail (shorter than a block) buffered.
    const size_t whole = s.direct ? s.used / kAlign * kAlign : 0;
    ok = s.Flush(whole);
    if (ok && s.direct && s.used > whole) ok = s.Buffered();
    if (ok && s.used > whole) ok = WriteAll(s.fd, s.buffer + whole, s.used - whole);
    s.used = 0;
  }
  const int fd = s.fd;
  s.fd = -1;
  if (::close(fd) != 0) ok = false;
  return ok;
}

}  // namespace repsim::io
