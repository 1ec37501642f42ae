#include "io/staging.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

namespace repsim::io {

namespace fs = std::filesystem;

// Files of an in-memory staging: plain strings, and streams (fopencookie:
// an ordinary buffered FILE, whatever setvbuf the writer asks for) that
// append to a string with a stable address.
struct Staging::Memory {
  mutable std::mutex mu;
  std::map<std::string, std::string> files;
  std::map<std::string, std::unique_ptr<std::string>> streams;

  static ssize_t Append(void* cookie, const char* data, size_t size) {
    static_cast<std::string*>(cookie)->append(data, size);
    return static_cast<ssize_t>(size);
  }
};

Staging::Staging(fs::path tmp, fs::path final_dir)
    : tmp_(std::move(tmp)), final_(std::move(final_dir)) {}

Staging Staging::InMemory(const std::string& name) {
  Staging s{fs::path{}, fs::path{name}};
  s.memory_ = std::make_unique<Memory>();
  s.done_ = true;  // nothing on disk to remove
  return s;
}

Staging::Staging(Staging&& other) noexcept
    : tmp_(std::move(other.tmp_)),
      final_(std::move(other.final_)),
      done_(other.done_),
      memory_(std::move(other.memory_)) {
  other.done_ = true;
}

Staging::~Staging() {
  if (!done_) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

namespace {

// When process `pid` started (seconds since the epoch), or nothing when no
// process has that id (/proc/PID/stat's start time in clock ticks after
// boot, plus /proc/stat's btime).
std::optional<double> ProcessStart(long pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');  // the command may hold spaces and parentheses
  if (paren == std::string::npos || paren + 2 > text.size()) return std::nullopt;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  // Field 22 (starttime) is the 20th after the command.
  for (int i = 0; i < 20 && fields >> field; ++i) {
  }
  std::ifstream boot_stat("/proc/stat");
  std::string key;
  double btime = -1;
  while (boot_stat >> key) {
    if (key == "btime") {
      boot_stat >> btime;
      break;
    }
  }
  if (btime < 0 || field.empty()) return std::nullopt;
  return btime + std::stod(field) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

int RemoveStaleStaging(const fs::path& out_dir) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(out_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    const size_t mark = file.rfind(".tmp-");
    if (file.size() < 2 || file[0] != '.' || mark == std::string::npos || mark == 0) continue;
    const std::string digits = file.substr(mark + 5);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    const long pid = std::stol(digits);
    if (pid == getpid()) continue;
    std::error_code e2;
    if (!fs::is_directory(it->path(), e2)) continue;
    // Alive is not enough: the id may have been reused by a process that
    // started after the folder was last written to.
    const bool alive = ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
    if (alive) {
      const std::optional<double> start = ProcessStart(pid);
      if (!start) continue;  // cannot tell: keep it
      const auto written = fs::last_write_time(it->path(), e2);
      if (e2) continue;
      const double written_s =
          std::chrono::duration<double>(std::chrono::file_clock::to_sys(written).time_since_epoch())
              .count();
      if (written_s >= *start - 1) continue;  // its owner may still be writing
    }
    fs::remove_all(it->path(), e2);
    if (!e2) ++removed;
  }
  return removed;
}

Expected<Staging> Staging::Create(const fs::path& out_dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec)) {
    return Error{
        fmt::format("{}: exists and is not a folder (give --out a folder)", out_dir.string())};
  }
  fs::create_directories(out_dir, ec);
  if (ec)
    return Error{fmt::format("{}: cannot create the folder: {}", out_dir.string(), ec.message())};
  const fs::path final_dir = out_dir / name;
  if (fs::exists(final_dir, ec) && !fs::is_directory(final_dir, ec)) {
    return Error{fmt::format("{}: exists and is not a folder", final_dir.string())};
  }
  // Staging folders of runs that were killed (SIGKILL, a crash) would stay
  // forever (issue 22: ~570 MB each); those of processes gone are removed.
  RemoveStaleStaging(out_dir);
  const fs::path tmp = out_dir / fmt::format(".{}.tmp-{}", name, getpid());
  fs::remove_all(tmp, ec);
  fs::create_directory(tmp, ec);
  if (ec) return Error{fmt::format("{}: cannot create a folder: {}", tmp.string(), ec.message())};
  return Staging(tmp, final_dir);
}

MaybeError Staging::Write(const std::string& file, const std::string& content) const {
  if (memory_) {
    std::lock_guard lock(memory_->mu);
    memory_->streams.erase(file);
    memory_->files[file] = content;
    return std::nullopt;
  }
  const fs::path p = tmp_ / file;
  std::ofstream f(p, std::ios::binary);
  f << content;
  f.close();
  if (!f) return fmt::format("{}: cannot write", p.string());
  return std::nullopt;
}

FILE* Staging::Open(const std::string& file) const {
  if (!memory_) return std::fopen((tmp_ / file).c_str(), "wb");
  std::lock_guard lock(memory_->mu);
  memory_->files.erase(file);
  auto& stream = memory_->streams[file];
  stream = std::make_unique<std::string>();
  cookie_io_functions_t io = {};
  io.write = &Memory::Append;
  return fopencookie(stream.get(), "w", io);
}

bool Staging::Has(const std::string& file) const {
  if (!memory_) {
    std::error_code ec;
    return fs::exists(tmp_ / file, ec);
  }
  std::lock_guard lock(memory_->mu);
  return memory_->files.count(file) || memory_->streams.count(file);
}

std::map<std::string, std::string> Staging::Files() const {
  std::map<std::string, std::string> out;
  if (!memory_) return out;
  std::lock_guard lock(memory_->mu);
  out = memory_->files;
  for (const auto& [name, stream] : memory_->streams) {
    out[name] = *stream;
  }
  return out;
}

MaybeError Staging::Commit() {
  if (memory_) return std::nullopt;
  std::error_code ec;
  const fs::path old =
      final_.parent_path() / fmt::format(".{}.old-{}", final_.filename().string(), getpid());
  const bool had = fs::exists(final_, ec);
  if (had) {
    fs::rename(final_, old, ec);
    if (ec)
      return fmt::format("{}: cannot move the previous results aside: {}", final_.string(),
                         ec.message());
  }
  fs::rename(tmp_, final_, ec);
  if (ec) {
    std::error_code ec2;
    if (had) fs::rename(old, final_, ec2);  // put the previous results back
    return fmt::format("{}: cannot move the new results into place: {}", final_.string(),
                       ec.message());
  }
  done_ = true;
  if (had) fs::remove_all(old, ec);
  return std::nullopt;
}

MaybeError WriteFileWhole(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::path tmp = path;
  tmp += fmt::format(".tmp-{}", getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    f.close();
    if (!f) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      return fmt::format("{}: cannot write", path.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return fmt::format("{}: cannot write ({})", path.string(), ec.message());
  }
  return std::nullopt;
}

}  // namespace repsim::io
