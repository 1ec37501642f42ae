// A progress bar on stderr for long work: drawn only when stderr is a
// terminal and the work has run for more than a second. Thread-safe Tick().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace repsim::io {

class Progress {
 public:
  Progress(std::string label, uint64_t total);
  ~Progress();  // finishes the line if one was drawn
  void Tick(uint64_t n = 1);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

 private:
  void Draw(uint64_t done);
  std::string label_;
  uint64_t total_;
  std::atomic<uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mu_;
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace repsim::io
