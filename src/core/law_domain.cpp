// The domains of validity of the law presets (include/repsim/law.h LawDomain).
#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <string>

#include "repsim/law.h"
#include "repsim/run.h"

namespace repsim {
namespace {

constexpr double kOpen = std::numeric_limits<double>::infinity();

// Hoffmann et al. 2022, abstract: "over 400 language models ranging from 70
// million to over 16 billion parameters on 5 to 500 billion tokens", every
// run on fresh data (less than one epoch of MassiveText).
constexpr LawDomain kChinchilla2022 = {
    70e6,
    16e9,
    5e9,
    500e9,
    0,
    kOpen,
    0,
    1,
    kOpen,
    "Hoffmann et al. 2022: over 400 runs of 70M-16B params on 5B-500B fresh tokens (abstract)"};

// Besiroglu et al. 2024 fitted the 240 lowest-loss of the 245 runs they read
// off Hoffmann et al.'s Figure 4 (../shared/data/chinchilla_hoffmann2022_fig4.csv):
// params 5.733e7-1.618e10, tokens 8.187e8-3.178e11, all fresh.
constexpr LawDomain kBesiroglu2024 = {
    5.733e7,
    1.618e10,
    8.187e8,
    3.178e11,
    0,
    kOpen,
    0,
    1,
    kOpen,
    "Besiroglu et al. 2024: 240 runs read off Hoffmann et al.'s Figure 4, 5.7e7-1.6e10 params, "
    "8.2e8-3.2e11 fresh tokens"};

// Muennighoff et al. 2023, the 182 runs of datablations' parametric fit
// (../shared/data/muennighoff2023_fit_runs.csv; MODEL.md §8): params
// 7.099e6-8.67e9, tokens 1e8-9e11, unique tokens 1e8-1.78e11, epochs 1-9000,
// params per unique token up to 10.96.
constexpr LawDomain kMuennighoff2023 = {
    7.099e6,
    8.67e9,
    1e8,
    9e11,
    1e8,
    1.78e11,
    1,
    9000,
    10.96,
    "Muennighoff et al. 2023: the 182 runs of the datablations fit, 7.1e6-8.7e9 params, "
    "1e8-9e11 tokens, 1e8-1.78e11 unique, 1-9000 epochs, up to 11 params per unique token"};

// Kaplan et al. 2020 §3: "768 to 1.5 billion non-embedding parameters",
// "dataset size ranging from 22 million to 23 billion tokens" (subsets of
// WebText2, trained with early stopping: epochs not stated).
constexpr LawDomain kKaplan2020 = {
    768,
    1.5e9,
    22e6,
    23e9,
    22e6,
    23e9,
    0,
    kOpen,
    kOpen,
    "Kaplan et al. 2020 section 3: 768-1.5e9 non-embedding params, datasets of 2.2e7-2.3e10 "
    "tokens (early-stopped; epochs not stated)"};

// overfit2026 (MODEL.md §2b): the 86 repeated-vs-fresh pairs of
// ../shared/data/muennighoff2023_all_runs.csv it was fitted on (repeated runs
// and their fresh partners): params 3.55e7-8.67e9, tokens 4e8-1.78e11, unique
// tokens 1e8-1.78e11, epochs 1-660, params per unique token up to 86.7.
constexpr LawDomain kOverfit2026 = {
    3.55e7,
    8.67e9,
    4e8,
    1.78e11,
    1e8,
    1.78e11,
    1,
    660,
    86.7,
    "repsim overfit2026: the 86 datablations repeated-vs-fresh pairs, 3.6e7-8.7e9 params, "
    "4e8-1.78e11 tokens, 1e8-1.78e11 unique, 1-660 epochs, up to 87 params per unique token"};

// ratio2026 (MODEL.md §2b): every run of ../shared/data/muennighoff2023_all_runs.csv
// (308 runs, 244 measurements after seed averaging, and the 86 pairs among
// them): params 7.1e6-8.67e9, tokens 1e8-9e11, unique tokens 1e8-1.78e11,
// epochs 1-9000, params per unique token up to 86.7.
constexpr LawDomain kRatio2026 = {
    7.1e6,
    8.67e9,
    1e8,
    9e11,
    1e8,
    1.78e11,
    1,
    9000,
    86.7,
    "repsim ratio2026: all 308 datablations runs, 7.1e6-8.7e9 params, 1e8-9e11 tokens, "
    "1e8-1.78e11 unique, 1-9000 epochs, up to 87 params per unique token"};

constexpr LawDomain kUnknown = {0, kOpen, 0, kOpen, 0, kOpen, 0, kOpen, kOpen, "not stated"};

// Whether v lies outside [lo, hi] (no lower bound when lo <= 0).
bool Outside(double v, double lo, double hi) { return v > hi || (lo > 0 && v < lo); }

void Check(std::string& out, std::string_view name, double v, double lo, double hi) {
  if (!Outside(v, lo, hi)) return;
  const bool above = v > hi;
  const double factor = above ? v / hi : lo / v;
  const double bound = above ? hi : lo;
  if (!out.empty()) out += "; ";
  // Three significant digits, more when those would round the factor to 1
  // ("1x above" for a point just outside): enough that it differs from 1
  // (1.0035 -> "1.004", 1 + 1e-7 -> "1.0000001").
  const int digits = std::clamp(1 + static_cast<int>(std::ceil(-std::log10(factor - 1.0))), 3, 17);
  // Compiled format: the same text as fmt::format, at a fraction of the cost
  // (a sweep builds this for every point outside the domain).
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{} {:.{}g}x {} {:.3g}"), name, factor,
                 digits, above ? "above" : "below", bound);
}

}  // namespace

const LawDomain& FittedDomain(LawPreset preset) {
  switch (preset) {
    case LawPreset::kChinchilla2022:
      return kChinchilla2022;
    case LawPreset::kBesiroglu2024:
      return kBesiroglu2024;
    case LawPreset::kMuennighoff2023:
      return kMuennighoff2023;
    case LawPreset::kKaplan2020:
      return kKaplan2020;
    case LawPreset::kOverfit2026:
      return kOverfit2026;
    case LawPreset::kRatio2026:
      return kRatio2026;
  }
  return kUnknown;
}

double SmallestFittedParams(LawForm form) {
  double smallest = kOpen;
  for (LawPreset p : AllLawPresets()) {
    if (MakeLaw(p).form != form) continue;
    smallest = std::fmin(smallest, FittedDomain(p).params_min);
  }
  return smallest;
}

std::string Extrapolation(const LawDomain& d, double params, double tokens, double unique_tokens) {
  std::string out;
  const double epochs = tokens / unique_tokens;
  Check(out, "params", params, d.params_min, d.params_max);
  Check(out, "tokens", tokens, d.tokens_min, d.tokens_max);
  Check(out, "unique_tokens", unique_tokens, d.unique_tokens_min, d.unique_tokens_max);
  // Fewer than one epoch is never a repetition extrapolation.
  Check(out, "epochs", epochs, 0, d.epochs_max);
  Check(out, "params_per_unique_token", params / unique_tokens, 0, d.params_per_unique_token_max);
  return out;
}

std::vector<std::pair<std::string_view, double>> LawConstants(const Law& law) {
  std::vector<std::pair<std::string_view, double>> out;
  for (const LawConstant& c : LawConstants()) {
    if (HasConstant(law, c)) out.emplace_back(c.name, law.*c.field);
  }
  return out;
}

std::vector<std::string_view> OverriddenConstants(const Law& law) {
  // Field by field, no list built: the sweep's "law" column asks at every point.
  std::vector<std::string_view> out;
  const Law published = MakeLaw(law.preset);
  for (const LawConstant& c : LawConstants()) {
    if (!HasConstant(law, c)) continue;
    // Exact comparison: any change, however small, is the user's constant.
    if (!HasConstant(published, c) || law.*c.field != published.*c.field) out.push_back(c.name);
  }
  return out;
}

std::string LawName(const Law& law) {
  const auto changed = OverriddenConstants(law);
  if (changed.empty()) return std::string(ToString(law.preset));
  std::string list;
  for (std::string_view c : changed) {
    if (!list.empty()) list += ", ";
    list += c;
  }
  return fmt::format("custom (from {}, overridden: {})", ToString(law.preset), list);
}

std::string Extrapolation(const Run& run) {
  return Extrapolation(FittedDomain(run.law.preset), run.params, run.tokens, UniqueTokens(run));
}

bool IsExtrapolation(const Run& run) {
  const LawDomain& d = FittedDomain(run.law.preset);
  const double u = UniqueTokens(run);
  // The checks of Extrapolation(), in its order.
  return Outside(run.params, d.params_min, d.params_max) ||
         Outside(run.tokens, d.tokens_min, d.tokens_max) ||
         Outside(u, d.unique_tokens_min, d.unique_tokens_max) ||
         Outside(run.tokens / u, 0, d.epochs_max) ||
         Outside(run.params / u, 0, d.params_per_unique_token_max);
}

}  // namespace repsim
