#include "io/staging.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
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

}  // namespace repsim::io
