#include "io/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace repsim::io {

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      enabled_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (drawn_) {
    Draw(done_.load());
    std::fputc('\n', stderr);
  }
}

void Progress::Tick(uint64_t n) {
  const uint64_t done = done_.fetch_add(n) + n;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1)) return;
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  Draw(done);
}

void Progress::Draw(uint64_t done) {
  constexpr int kWidth = 30;
  const double f = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(f * kWidth);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = f > 0 ? secs * (1 - f) / f : 0;
  fmt::print(stderr, "\r{} [{}{}] {:3.0f}% {}/{}  {:.1f}s elapsed, ~{:.1f}s left ", label_,
             std::string(filled, '#'), std::string(kWidth - filled, '.'), 100 * f, done, total_,
             secs, eta);
  std::fflush(stderr);
}

}  // namespace repsim::io
