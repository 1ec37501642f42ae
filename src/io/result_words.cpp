#include "io/result_words.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "io/number_format.h"
#include "repsim/calibration.h"
#include "repsim/intervals.h"
#include "repsim/weight_decay.h"

namespace repsim::io {
namespace {

// A position on the run's timeline (full passes over the unique data) in words.
std::string PositionInWords(double epoch) {
  static constexpr const char* kOrdinals[] = {"first", "second",  "third",  "fourth", "fifth",
                                              "sixth", "seventh", "eighth", "ninth",  "tenth"};
  if (epoch == 0) return "the start";
  if (epoch == 1) return "the first repeat";
  if (epoch == std::floor(epoch) && epoch <= 10) {
    return fmt::format("the {} repeat, after {:g} full passes",
                       kOrdinals[static_cast<int>(epoch) - 1], epoch);
  }
  if (epoch < 1) return fmt::format("{:g} of the way through the first pass", epoch);
  return fmt::format("epoch position {:g}, after {:g} full passes", epoch, epoch);
}

std::string MaybeShort(const std::optional<double>& v) {
  return v ? Short(*v) : std::string("not found");
}

}  // namespace

// Where each of the law's constants comes from: overridden ones from the
// scenario's [law] source (the fit that made them), the others from the
// preset's paper, except R_D* and R_N*, which every preset but
// muennighoff2023 and overfit2026 carries from Muennighoff et al. 2023.
std::string LawProvenance(const ScenarioResults& r) {
  const Law& law = r.run.law;
  const std::vector<std::string_view> overridden = OverriddenConstants(law);
  const bool borrowed_repetition =
      law.preset != LawPreset::kMuennighoff2023 && law.preset != LawPreset::kOverfit2026;
  std::vector<std::string_view> own, repetition;
  for (const auto& [name, value] : LawConstants(law)) {
    if (std::find(overridden.begin(), overridden.end(), name) != overridden.end()) continue;
    const bool is_repetition = name == "rd_star" || name == "rn_star";
    (is_repetition && borrowed_repetition ? repetition : own).push_back(name);
  }
  std::string out;
  if (!overridden.empty()) {
    out = fmt::format(
        "{} from {}; ", fmt::join(overridden, ", "),
        r.scenario.law_source.empty() ? std::string("the scenario file") : r.scenario.law_source);
  }
  if (overridden.empty() && repetition.empty()) return std::string(LawSource(law.preset));
  out += own.empty()
             ? fmt::format("the form from {}", LawSource(law.preset))
             : fmt::format("{} and the form from {}", fmt::join(own, ", "), LawSource(law.preset));
  if (!repetition.empty()) {
    out += fmt::format("; {} from {}", fmt::join(repetition, ", "),
                       LawSource(LawPreset::kMuennighoff2023));
  }
  return out;
}

// ", weight decay 1 (overfitting x0.3)" when not the default, else "".
std::string WeightDecayInWords(const Run& run) {
  if (run.weight_decay == kDefaultWeightDecay) return {};
  if (!run.law.overfit) {
    return fmt::format(", weight decay {:g} (no effect: the law has no overfitting term)",
                       run.weight_decay);
  }
  return fmt::format(", weight decay {:g} (overfitting x{:.3g})", run.weight_decay,
                     WeightDecayFactor(run));
}

// A column's cell for people: 6 significant digits, "not found" for no value.
std::string ShortCell(const Column& c, const Run& run, const Summary& s) {
  return c.numeric() ? MaybeShort(c.Value(run, s)) : c.Text(run, s);
}

// The bands of `s` for people, one line per output: the band, the source that
// moves it most, and every source's range ("" when `s` has no bands).
std::vector<std::string> BandLines(const Summary& s) {
  std::vector<std::string> lines;
  if (!s.bands) return lines;
  const Bands& b = *s.bands;
  for (size_t k = 0; k < kBandOutputs; ++k) {
    const auto output = static_cast<BandOutput>(k);
    const std::optional<double> point = BandValue(s, output);
    if (!point || !b.band[k]) continue;
    std::string line = fmt::format("{} {} [{}, {}]", ToString(output), Short(*point),
                                   Short(b.band[k]->lo), Short(b.band[k]->hi));
    const std::string_view dominant = b.DominantName(output);
    line += dominant.empty() ? std::string(": no source moves it")
                             : fmt::format(": mostly {}", dominant);
    std::string ranges;
    for (const BandSource& src : b.sources) {
      if (!src.range[k]) continue;
      ranges += fmt::format("{}{} {} to {}", ranges.empty() ? "" : "; ", src.name,
                            Short(src.range[k]->lo), Short(src.range[k]->hi));
    }
    if (!ranges.empty()) line += " (" + ranges + ")";
    lines.push_back(std::move(line));
  }
  return lines;
}

// What each band source is, for people.
std::vector<std::string> BandSourceLines(const Summary& s) {
  std::vector<std::string> lines;
  if (!s.bands) return lines;
  for (const BandSource& src : s.bands->sources) {
    lines.push_back(fmt::format("{}: {} ({} evaluations)", src.name, src.detail, src.evaluations));
  }
  if (!s.bands->no_bootstrap.empty()) lines.push_back(s.bands->no_bootstrap);
  return lines;
}

// The loss band of a comparison row, "[lo, hi]" ("" without bands).
std::string LossBand(const Summary& s) {
  if (!s.bands || !s.bands->band[0]) return {};
  return fmt::format("[{}, {}]", Short(s.bands->band[0]->lo), Short(s.bands->band[0]->hi));
}

std::string DropoutInWords(const Run& run) {
  const Dropout& d = run.dropout;
  const double u = UniqueTokens(run);
  auto token = [&](double epoch) {
    return fmt::format("token {:g} of {:g}", epoch * u, run.tokens);
  };
  switch (d.schedule) {
    case DropoutSchedule::kNone:
      return "no dropout";
    case DropoutSchedule::kConstant:
      return fmt::format("dropout {:g} throughout", d.rate);
    case DropoutSchedule::kStep:
      return fmt::format("dropout {:g} from {} ({})", d.rate, PositionInWords(d.start_epoch),
                         token(d.start_epoch));
    case DropoutSchedule::kLinear:
      return fmt::format("dropout ramping 0 -> {:g} from {} ({}) to {} ({})", d.rate,
                         PositionInWords(d.start_epoch), token(d.start_epoch),
                         PositionInWords(d.end_epoch), token(d.end_epoch));
    case DropoutSchedule::kEarly:
      return fmt::format("dropout {:g} until {} ({}), then off", d.rate,
                         PositionInWords(d.end_epoch), token(d.end_epoch));
  }
  return "?";
}

}  // namespace repsim::io
