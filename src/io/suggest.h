// "Did you mean ...?" for unknown keys, values, commands and flags.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace repsim::io {

// Levenshtein distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, if it is close enough to be a plausible
// typo (distance <= max(2, |word| / 3)).
std::optional<std::string> Suggest(std::string_view word, std::span<const std::string> candidates);
std::optional<std::string> Suggest(std::string_view word,
                                   std::span<const std::string_view> candidates);

// ", did you mean 'x'?" or "".
std::string DidYouMean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace repsim::io
