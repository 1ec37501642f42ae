// repsim: uncertainty bands (`repsim run --intervals`, [output] intervals).
//
// A band is how far an output moves when the law's fitted constants and the
// assumed constants move over what is known of them, one source at a time:
//   * "bootstrap": the law preset's bootstrap refits (PresetBootstrapLaws(),
//     law.h); the 2.5th-97.5th percentile of the output over them;
//   * each assumption the run depends on (assumptions.h: c_drop, eta,
//     memorization_capacity): the smallest and largest output over its stated
//     range (kAssumptionScanPoints evenly spaced values and the assumed one).
// The band is the envelope of the point value and every source's range, so it
// always contains the point. It is not a joint confidence interval: the
// sources are moved one at a time, the others held where the run has them.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "repsim/assumptions.h"
#include "repsim/engine.h"
#include "repsim/run.h"

namespace repsim {

// The outputs that get a band, in column order.
enum class BandOutput {
  kLossRepeated,
  kDelta,
  kDeltaPct,
  kEffectiveFraction,
  kEquivalentUniqueTokens,
  kEquivalentParams,
};
inline constexpr size_t kBandOutputs = 6;
// The output's column name ("loss_repeated", ...).
std::string_view ToString(BandOutput output);
// The output's value in `s` (empty: it has none, e.g. no equivalent model).
std::optional<double> BandValue(const Summary& s, BandOutput output);

// Values of an assumption tried across its stated range (plus the assumed one).
inline constexpr int kAssumptionScanPoints = 11;
// Bootstrap percentiles of a band (percent).
inline constexpr double kBandLowPercentile = 2.5;
inline constexpr double kBandHighPercentile = 97.5;

struct Range {
  double lo = 0, hi = 0;
  double width() const { return hi - lo; }
};

// How far one source moves each output.
struct BandSource {
  std::string name;    // "bootstrap" or the assumption's key ("c_drop")
  std::string detail;  // "176 refits of overfit2026's constants" / "0 to 1, assumed 0.5"
  int evaluations = 0;
  std::array<std::optional<Range>, kBandOutputs> range;  // empty: no value anywhere
};

struct Bands {
  std::array<std::optional<Range>, kBandOutputs> band;  // empty: the point has no value
  std::vector<BandSource> sources;
  // Per output: the index in `sources` of the widest range, -1 when no source moves it.
  std::array<int, kBandOutputs> dominant{-1, -1, -1, -1, -1, -1};
  // Why there is no bootstrap source, or "" when there is one.
  std::string no_bootstrap;
  // The dominant source's name for `output`, "" when none moves it.
  std::string_view DominantName(BandOutput output) const;
};

// The bands of `run`, whose point values are `point` (= Evaluate(run)).
// Costs one Evaluate() per bootstrap set (~200) and per scanned assumption
// value (12 each); call only when bands are asked for.
// `assumptions`: the assumed constants and their ranges (default: all of
// assumptions.h's, at their stated ranges; a test may narrow or widen them).
Bands ComputeBands(const Run& run, const Summary& point);
Bands ComputeBands(const Run& run, const Summary& point, std::span<const Assumption> assumptions);

// How often `b` beats `a` (lower loss_repeated) when both take each of the
// law's bootstrap refits: the comparison's ranking inside the bootstrap band.
// Empty when no bootstrap set applies (no set for the preset, overridden
// constants, or the two runs use different laws).
struct BootstrapRanking {
  int sets = 0;      // refits evaluated
  int reversed = 0;  // refits under which b's loss is below a's
};
std::optional<BootstrapRanking> RankingUnderBootstrap(const Run& a, const Run& b);

}  // namespace repsim
