// `repsim fit RUNS.csv --form ratio`: fits ratio2026's form (MODEL.md §2b) on
// the absolute losses of every run plus the pairs (include/repsim/validate.h),
// with bootstrap intervals. Before the rebase onto ivf's cmd_fit_overfit.cpp
// both forms lived in one file; the overfit branch here is the pre-rebase
// copy of `--form overfit` (cmd_fit.cpp sends that form to cmd_fit_overfit.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "io/runs_csv.h"
#include "io/table.h"
#include "repsim/law.h"
#include "repsim/validate.h"

namespace repsim::cli {
namespace {

constexpr const char* kUsage =
    "Usage: repsim fit RUNS.csv --form overfit|ratio [--group-by COL]... [--bootstrap B]\n"
    "                  [--seed S] [--samples FILE] [--threads T] [--format table|json|csv|toml]\n"
    "\n"
    "--form ratio fits ratio2026 (docs/MODEL.md §2b, the default law):\n"
    "  L = L(N', D') + overfit_height (1 - exp(-z)),  z = exp(overfit_w) (N'/U)^overfit_a "
    "R^overfit_k,\n"
    "with E, A, B, alpha = beta, R_D*, R_N* fitted too, on the absolute losses of every run\n"
    "(seed repeats averaged) by Huber(delta = 0.001) on log loss, plus the pairs' log penalty\n"
    "ratios by Huber(delta = 0.01) scaled by 0.1; L-BFGS from 33 starts, the best kept.\n"
    "--bootstrap B resamples the runs.\n"
    "\n"
    "--form overfit fits overfit2026:\n"
    "Fits the overfitting form (docs/MODEL.md §2b) on the repeated-vs-fresh pairs of\n"
    "RUNS.csv (params, tokens, unique_tokens, loss; pairing rule: `repsim validate --help`):\n"
    "  L = L(N', D') + max(loss_cap - L(N', D'), 0) (1 - exp(-z)),\n"
    "  z = exp(overfit_w) (N'/1e9)^overfit_a (U/1e9)^-overfit_c R^overfit_k,\n"
    "with N', D' of Muennighoff et al. 2023 (R_D*, R_N* refitted), R = epochs - 1,\n"
    "E, A, B, alpha, beta of muennighoff2023 and loss_cap = 11 nats held fixed.\n"
    "Objective: sum of Huber(delta = 0.01) of log(predicted L_rep/L_fresh) - log(measured\n"
    "L_rep/L_fresh) over the pairs; L-BFGS from 64 starts, the best kept.\n"
    "--bootstrap B resamples the pairs B times (seeded by --seed) and reports standard\n"
    "errors and 95% percentile intervals; --samples FILE writes each resample's constants.";

std::optional<uint64_t> ParseU64(std::string_view s) {
  uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<double> Constants(const Law& l, bool ratio) {
  if (ratio) {
    return {l.rd_star, l.rn_star, l.overfit_w, l.overfit_a,  l.overfit_k,  l.overfit_height, l.e,
            l.a,       l.b,       l.alpha,     l.overfit_w2, l.overfit_a2, l.overfit_k2};
  }
  return {l.rd_star, l.rn_star, l.overfit_w, l.overfit_a, l.overfit_c, l.overfit_k};
}

double Percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

int FitRatioCommand(const Args& args) {
  std::vector<std::string> files, groups;
  std::string form, bootstrap = "0", seed = "0", threads = "0", format = "table", samples,
                    pair_weight = "1", huber_delta = "0.001", rd_star = "200";
  FlagSet flags("fit", kUsage);
  flags.Positionals("RUNS.csv", &files)
      .Value("form", '\0', "FORM", &form, "overfit or ratio")
      .Repeated("group-by", "COL", &groups,
                "pair only runs with equal values of column COL (repeatable)")
      .Value("bootstrap", '\0', "B", &bootstrap,
             "B bootstrap resamples of the pairs (default 0: none)")
      .Value("seed", '\0', "S", &seed, "bootstrap seed (default 0)")
      .Value("samples", '\0', "FILE", &samples, "write every resample's constants to FILE (CSV)")
      .Value("threads", '\0', "T", &threads, "worker threads (default 0: all cores)")
      .Value("huber-delta", '\0', "D", &huber_delta,
             "ratio form: Huber delta on log loss (default 0.001)")
      .Value("rd-star", '\0', "R", &rd_star, "ratio form: hold R_D* at R (default 200; 0: fit it)")
      .Value("pair-weight", '\0', "W", &pair_weight,
             "ratio form: weight of the pairs' term (default 1; 0: absolute losses only)")
      .Value("format", '\0', "FMT", &format, "table (default), json, csv, or toml (a [law] table)");
  if (auto code = flags.Parse(args)) return *code;
  auto UsageError = [&](const std::string& m) { return flags.UsageError(m); };
  if (files.size() != 1)
    return UsageError(fmt::format("one runs file expected: repsim fit RUNS.csv --form {}", form));
  const bool ratio = form == "ratio";
  const std::optional<uint64_t> b = ParseU64(bootstrap), s = ParseU64(seed), t = ParseU64(threads);
  if (!b || *b > 100000)
    return UsageError(
        fmt::format("--bootstrap = '{}': must be an integer from 0 to 100000", bootstrap));
  if (!s)
    return UsageError(
        fmt::format("--seed = '{}': must be an integer from 0 to 18446744073709551615", seed));
  if (!t || *t > 1024)
    return UsageError(fmt::format("--threads = '{}': must be an integer from 0 to 1024", threads));
  if (format != "table" && format != "json" && format != "csv" && format != "toml") {
    return UsageError(
        fmt::format("--format = '{}': unknown format (one of: table, json, csv, toml)", format));
  }

  Expected<std::vector<MeasuredRun>> runs = io::ReadMeasuredRunsCsv(files[0], groups);
  if (!runs) {
    return Fail("fit", runs.error());
  }
  const std::vector<PenaltyPair> pairs = FormPairs(*runs);
  Law best_law;
  double objective = 0;
  int converged = 0, starts = 0;
  std::vector<Law> boot;
  std::string what;
  if (ratio) {
    RatioFitOptions options;
    options.threads = static_cast<int>(*t);
    double w = 0;
    const auto [ptr, ec] =
        std::from_chars(pair_weight.data(), pair_weight.data() + pair_weight.size(), w);
    if (pair_weight.empty() || ec != std::errc() ||
        ptr != pair_weight.data() + pair_weight.size() || !std::isfinite(w) || w < 0 || w > 1e6) {
      return UsageError(
          fmt::format("--pair-weight = '{}': must be a number from 0 to 1e6", pair_weight));
    }
    options.pair_weight = w;
    double hd = 0;
    const auto [hp, hec] =
        std::from_chars(huber_delta.data(), huber_delta.data() + huber_delta.size(), hd);
    if (huber_delta.empty() || hec != std::errc() ||
        hp != huber_delta.data() + huber_delta.size() || !std::isfinite(hd) || !(hd > 0) ||
        hd > 10) {
      return UsageError(
          fmt::format("--huber-delta = '{}': must be a number > 0 and <= 10", huber_delta));
    }
    options.huber_delta = hd;
    double rd = 0;
    const auto [rp, rec] = std::from_chars(rd_star.data(), rd_star.data() + rd_star.size(), rd);
    if (rd_star.empty() || rec != std::errc() || rp != rd_star.data() + rd_star.size() ||
        !std::isfinite(rd) || rd < 0 || rd > 1e12) {
      return UsageError(
          fmt::format("--rd-star = '{}': must be 0 (fitted) or in (0, 1e12]", rd_star));
    }
    options.rd_star = rd;
    Expected<RatioFit> fit = FitRatioForm(*runs, options);
    if (!fit) {
      return Fail("fit", fmt::format("{}: {}", files[0], fit.error()));
    }
    if (*b > 0) {
      Expected<std::vector<Law>> r =
          BootstrapRatioForm(*runs, options, *fit, static_cast<int>(*b), *s);
      if (!r) {
        return Fail("fit", r.error(), kExitInternal);
      }
      boot = std::move(*r);
    }
    best_law = fit->law;
    objective = fit->objective;
    converged = fit->converged_to_best;
    starts = fit->starts;
    what = fmt::format(
        "{} measurements and {} pairs from {} runs; objective {} (Huber delta {} on log loss, "
        "pairs {} on log penalty ratios)",
        fit->measurements, fit->pairs, runs->size(), io::Short(objective), kLossHuberDelta,
        kPenaltyHuberDelta);
  } else {
    OverfitFitOptions options;
    options.base = MakeLaw(LawPreset::kMuennighoff2023);
    options.base.loss_cap = MakeLaw(LawPreset::kOverfit2026).loss_cap;
    options.threads = static_cast<int>(*t);
    Expected<OverfitFit> fit = FitOverfitForm(pairs, options);
    if (!fit) {
      return Fail("fit", fmt::format("{}: {}", files[0], fit.error()));
    }
    if (*b > 0) {
      Expected<std::vector<Law>> r =
          BootstrapOverfitForm(pairs, options, *fit, static_cast<int>(*b), *s);
      if (!r) {
        return Fail("fit", r.error(), kExitInternal);
      }
      boot = std::move(*r);
    }
    best_law = fit->law;
    objective = fit->objective;
    converged = fit->converged_to_best;
    starts = fit->starts;
    what = fmt::format("{} pairs from {} runs; objective {} (Huber delta {} on log penalty ratios)",
                       fit->pairs, runs->size(), io::Short(objective), kPenaltyHuberDelta);
  }
  const std::vector<double> best = Constants(best_law, ratio);
  const auto names = ratio ? RatioParamNames() : OverfitParamNames();

  if (format == "toml") {
    fmt::print("# repsim fit {} --form {}: {}\n[law]\npreset = \"{}\"\n", files[0], form, what,
               ratio ? "ratio2026" : "overfit2026");
    for (size_t i = 0; i < names.size(); ++i) fmt::print("{} = {}\n", names[i], io::Num(best[i]));
    return 0;
  }
  io::Table table;
  table.AddColumn("constant", false);
  table.AddColumn("value");
  if (!boot.empty()) {
    for (const char* c : {"std_error", "ci95_low", "ci95_high"}) table.AddColumn(c);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    std::vector<std::string> row = {std::string(names[i]), io::Num(best[i])};
    if (!boot.empty()) {
      std::vector<double> v;
      double sum = 0;
      for (const Law& l : boot) {
        v.push_back(Constants(l, ratio)[i]);
        sum += v.back();
      }
      const double mean = sum / v.size();
      double ss = 0;
      for (double x : v) ss += (x - mean) * (x - mean);
      row.push_back(io::Num(v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0.0));
      row.push_back(io::Num(Percentile(v, 0.025)));
      row.push_back(io::Num(Percentile(v, 0.975)));
    }
    table.AddRow(std::move(row));
  }
  if (format == "table") {
    fmt::print("{}: {}; {} of {} starts reached the best{}\n", files[0], what, converged, starts,
               boot.empty() ? "" : fmt::format("; {} of {} resamples refitted", boot.size(), *b));
    fmt::print("{}", io::RenderText(table));
  } else {
    fmt::print(
        "{}", io::Render(table, format == "json" ? io::TableFormat::kJson : io::TableFormat::kCsv));
  }
  if (!samples.empty()) {
    io::Table st;
    for (auto n : names) st.AddColumn(std::string(n));
    for (const Law& l : boot) {
      std::vector<std::string> row;
      for (double v : Constants(l, ratio)) row.push_back(io::Num(v));
      st.AddRow(std::move(row));
    }
    std::ofstream out(samples, std::ios::binary);
    out << io::RenderCsv(st);
    if (!out) {
      return Fail("fit", samples + ": cannot write");
    }
  }
  return 0;
}

}  // namespace repsim::cli
