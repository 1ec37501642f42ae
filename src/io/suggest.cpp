#include "io/suggest.h"

#include <fmt/format.h>

#include <algorithm>

namespace repsim::io {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    prev.swap(cur);
  }
  return prev[b.size()];
}

std::optional<std::string> Suggest(std::string_view word,
                                   std::span<const std::string_view> candidates) {
  std::optional<std::string> best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (std::string_view c : candidates) {
    // A prefix of a name ("unique" for "unique_tokens") counts as close.
    const bool prefix =
        word.size() >= 3 && c.size() > word.size() && c.substr(0, word.size()) == word;
    const size_t d = prefix ? 1 : EditDistance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

std::optional<std::string> Suggest(std::string_view word, std::span<const std::string> candidates) {
  std::vector<std::string_view> views(candidates.begin(), candidates.end());
  return Suggest(word, std::span<const std::string_view>(views));
}

std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates) {
  if (auto s = Suggest(word, candidates)) return fmt::format(", did you mean '{}'?", *s);
  return "";
}

}  // namespace repsim::io
