#include "repsim/intervals.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "repsim/assumptions.h"
#include "repsim/law.h"

namespace repsim {
namespace {

constexpr std::array<std::string_view, kBandOutputs> kNames = {
    "loss_repeated",    "delta", "delta_pct", "effective_fraction", "equivalent_unique_tokens",
    "equivalent_params"};

// The p-th percentile of sorted `v` (linear interpolation, numpy's default).
double Percentile(const std::vector<double>& v, double p) {
  const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto i = static_cast<size_t>(std::floor(pos));
  if (i + 1 >= v.size()) return v.back();
  return v[i] + (pos - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

// Outputs of many variants of one run, per output.
struct Samples {
  std::array<std::vector<double>, kBandOutputs> values;
  void Add(const Summary& s) {
    for (size_t k = 0; k < kBandOutputs; ++k) {
      const std::optional<double> v = BandValue(s, static_cast<BandOutput>(k));
      if (v && std::isfinite(*v)) values[k].push_back(*v);
    }
  }
};

}  // namespace

std::string_view ToString(BandOutput output) { return kNames[static_cast<size_t>(output)]; }

std::optional<double> BandValue(const Summary& s, BandOutput output) {
  switch (output) {
    case BandOutput::kLossRepeated:
      return s.loss_repeated;
    case BandOutput::kDelta:
      return s.delta;
    case BandOutput::kDeltaPct:
      return s.delta_pct;
    case BandOutput::kEffectiveFraction:
      return s.effective_fraction;
    case BandOutput::kEquivalentUniqueTokens:
      return s.equivalent_unique_tokens;
    case BandOutput::kEquivalentParams:
      return s.equivalent_params;
  }
  return std::nullopt;
}

std::string_view Bands::DominantName(BandOutput output) const {
  const int d = dominant[static_cast<size_t>(output)];
  return d < 0 ? std::string_view() : std::string_view(sources[static_cast<size_t>(d)].name);
}

Bands ComputeBands(const Run& run, const Summary& point) {
  return ComputeBands(run, point, Assumptions());
}

Bands ComputeBands(const Run& run, const Summary& point, std::span<const Assumption> assumptions) {
  Bands out;
  // The bootstrap refits apply to a preset's own constants only.
  const std::vector<std::string_view> overridden = OverriddenConstants(run.law);
  std::vector<Law> sets;
  if (!overridden.empty()) {
    out.no_bootstrap = fmt::format(
        "no bootstrap set: the law's constants are overridden ({}), and {}'s refits do not "
        "apply to them",
        fmt::join(overridden, ", "), ToString(run.law.preset));
  } else {
    sets = PresetBootstrapLaws(run.law.preset);
    if (sets.empty()) {
      out.no_bootstrap =
          fmt::format("{}: no bootstrap set (repsim has no data its constants were fitted on)",
                      ToString(run.law.preset));
    }
  }
  if (!sets.empty()) {
    BandSource b;
    b.name = "bootstrap";
    b.detail = fmt::format("{} refits of {}'s constants, {:g}th-{:g}th percentile", sets.size(),
                           ToString(run.law.preset), kBandLowPercentile, kBandHighPercentile);
    Samples s;
    for (const Law& law : sets) {
      Run r = run;
      r.law = law;
      r.law.overfit_scale = run.law.overfit_scale;  // the run's weight decay, not a constant
      s.Add(Evaluate(r));
      ++b.evaluations;
    }
    for (size_t k = 0; k < kBandOutputs; ++k) {
      std::vector<double>& v = s.values[k];
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      b.range[k] = Range{Percentile(v, kBandLowPercentile), Percentile(v, kBandHighPercentile)};
    }
    out.sources.push_back(std::move(b));
  }
  for (const Assumption& a : assumptions) {
    if (!DependsOn(run, a)) continue;
    BandSource b;
    b.name = std::string(a.name);
    const double assumed = AssumedValue(run, a);
    b.detail = fmt::format("{:g} to {:g}, assumed {:g}", a.lo, a.hi, assumed);
    Samples s;
    std::vector<double> values = {assumed};
    for (int i = 0; i < kAssumptionScanPoints; ++i) {
      values.push_back(a.lo + (a.hi - a.lo) * i / (kAssumptionScanPoints - 1));
    }
    for (double v : values) {
      s.Add(Evaluate(WithAssumption(run, a, v)));
      ++b.evaluations;
    }
    for (size_t k = 0; k < kBandOutputs; ++k) {
      const std::vector<double>& v = s.values[k];
      if (v.empty()) continue;
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      b.range[k] = Range{*lo, *hi};
    }
    out.sources.push_back(std::move(b));
  }
  for (size_t k = 0; k < kBandOutputs; ++k) {
    const std::optional<double> p = BandValue(point, static_cast<BandOutput>(k));
    if (!p) continue;
    Range band{*p, *p};
    double widest = 0;
    for (size_t i = 0; i < out.sources.size(); ++i) {
      const std::optional<Range>& r = out.sources[i].range[k];
      if (!r) continue;
      band.lo = std::min(band.lo, r->lo);
      band.hi = std::max(band.hi, r->hi);
      if (r->width() > widest) {
        widest = r->width();
        out.dominant[k] = static_cast<int>(i);
      }
    }
    out.band[k] = band;
  }
  return out;
}

std::optional<BootstrapRanking> RankingUnderBootstrap(const Run& a, const Run& b) {
  if (!OverriddenConstants(a.law).empty() || !OverriddenConstants(b.law).empty() ||
      a.law.preset != b.law.preset) {
    return std::nullopt;
  }
  const std::vector<Law> sets = PresetBootstrapLaws(a.law.preset);
  if (sets.empty()) return std::nullopt;
  BootstrapRanking out;
  for (const Law& law : sets) {
    Run ra = a, rb = b;
    ra.law = law;
    rb.law = law;
    ra.law.overfit_scale = a.law.overfit_scale;  // each run's weight decay
    rb.law.overfit_scale = b.law.overfit_scale;
    ++out.sets;
    if (Evaluate(rb).loss_repeated < Evaluate(ra).loss_repeated) ++out.reversed;
  }
  return out;
}

}  // namespace repsim
