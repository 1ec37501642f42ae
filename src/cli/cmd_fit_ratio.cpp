// `repsim fit RUNS.csv --form ratio`: fits ratio2026's form (MODEL.md §2b) on
// the absolute losses of every run plus the pairs (include/repsim/validate.h),
// with bootstrap intervals. `--form overfit` is cmd_fit_overfit.cpp's.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/fit_form_flags.h"
#include "cli/flags.h"
#include "io/runs_csv.h"
#include "io/table.h"
#include "repsim/law.h"
#include "repsim/validate.h"

namespace repsim::cli {
namespace {

constexpr const char* kUsage =
    "Usage: repsim fit RUNS.csv --form ratio [--group-by COL]... [--pair-weight W] [--rd-star R]\n"
    "                  [--huber-delta D] [--bootstrap B] [--seed S] [--samples FILE]\n"
    "                  [--threads T] [--format table|json|csv|toml]\n"
    "\n"
    "Fits ratio2026's form (docs/MODEL.md §2b, the default law) to RUNS.csv (params, tokens,\n"
    "unique_tokens, loss; pairing rule: `repsim validate --help`):\n"
    "  L = L(N', D') + overfit_height (1 - exp(-z)),\n"
    "  z = exp(overfit_w) (N'/U)^overfit_a R^overfit_k\n"
    "    + exp(overfit_w2) (N'/1e9)^overfit_a2 (U/1e9)^-(overfit_a2 + 0.1) ((1+R)^overfit_k2 - "
    "1),\n"
    "with N', D' of Muennighoff et al. 2023, R = epochs - 1, and E, A, B, alpha = beta, R_N*\n"
    "fitted too (R_D* held at --rd-star, default 200; 0 fits it; overfit_k > 1, so the late\n"
    "term starts flat at one epoch). Objective: Huber(delta = --huber-delta, default 0.001) on\n"
    "log loss over the absolute losses of every run (seed repeats averaged) plus the pairs'\n"
    "log penalty ratios by Huber(delta = 0.01) scaled by (delta / 0.01) x --pair-weight\n"
    "(default 1); L-BFGS from 33 starts, the best kept. --bootstrap B resamples the runs B\n"
    "times (seeded by --seed) and reports standard errors and 95% percentile intervals;\n"
    "--samples FILE writes each resample's constants. The domain of validity is the runs'\n"
    "ranges (printed, TOML comment); --format toml carries `source`. `repsim fit --form\n"
    "overfit --help` describes the overfit2026 form.";

}  // namespace

int FitRatioCommand(const Args& args) {
  FormFitText t;
  std::string pair_weight = "1", huber_delta = io::Num(RatioFitOptions{}.huber_delta),
              rd_star = "200";
  FlagSet flags("fit", kUsage);
  DeclareFormFitFlags(flags, &t, "ratio", "runs");
  flags.Value("huber-delta", '\0', "D", &huber_delta, "Huber delta on log loss (default 0.001)")
      .Value("rd-star", '\0', "R", &rd_star, "hold R_D* at R (default 200; 0: fit it)")
      .Value("pair-weight", '\0', "W", &pair_weight,
             "weight of the pairs' term (default 1; 0: absolute losses only)");
  if (auto code = flags.Parse(args)) return *code;
  const std::vector<std::string>& files = t.files;
  const std::vector<std::string>& groups = t.groups;
  const std::string &form = t.form, &format = t.format, &samples = t.samples;
  auto UsageError = [&](const std::string& m) { return flags.UsageError(m); };
  if (files.size() != 1)
    return UsageError(fmt::format("one runs file expected: repsim fit RUNS.csv --form {}", form));
  // cmd_fit.cpp sends only --form ratio here (a repeated --form is refused).
  if (form != "ratio") return FitOverfitCommand(args);
  FormFitFlags ff;
  if (auto code = CheckFormFitFlags(flags, t.bootstrap, t.seed, t.threads, format, &ff)) {
    return *code;
  }

  Expected<std::vector<MeasuredRun>> runs = io::ReadMeasuredRunsCsv(files[0], groups);
  if (!runs) {
    return Fail("fit", runs.error());
  }
  Law best_law;
  double objective = 0;
  int converged = 0, starts = 0;
  std::vector<Law> boot;
  std::string what;
  RatioFitOptions options;
  options.threads = ff.threads;
  const Expected<double> w = PairWeightFlag(pair_weight);
  if (!w) return UsageError(w.error());
  options.pair_weight = *w;
  const Expected<double> hd = RatioHuberDeltaFlag(huber_delta);
  if (!hd) return UsageError(hd.error());
  options.huber_delta = *hd;
  const Expected<double> rd = RdStarFlag(rd_star);
  if (!rd) return UsageError(rd.error());
  options.rd_star = *rd;
  Expected<RatioFit> fit = FitRatioForm(*runs, options);
  if (!fit) {
    return Fail("fit", fmt::format("{}: {}", files[0], fit.error()));
  }
  if (ff.bootstrap > 0) {
    Expected<std::vector<Law>> r =
        BootstrapRatioForm(*runs, options, *fit, static_cast<int>(ff.bootstrap), ff.seed);
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
      fit->measurements, fit->pairs, runs->size(), io::Short(objective), options.huber_delta,
      options.pair_huber_delta);
  const auto names = RatioParamNames();
  const std::vector<double> best = LawValues(best_law, names);
  // The domain of validity: the ranges of the runs fitted on.
  std::vector<FitRun> fitted;
  fitted.reserve(runs->size());
  for (const MeasuredRun& r : *runs) {
    fitted.push_back(FitRun{r.params, r.tokens, r.unique_tokens, r.loss});
  }
  const LawDomain domain = DomainOfRuns(fitted);

  // Each resample's constants, a row per resample (spread cells, --samples).
  std::vector<std::vector<double>> boot_rows;
  boot_rows.reserve(boot.size());
  for (const Law& l : boot) boot_rows.push_back(LawValues(l, names));
  // --samples in every format (toml too).
  if (!samples.empty()) {
    if (auto code = WriteBootstrapSamples(samples, names, boot_rows)) return *code;
  }
  if (format == "toml") {
    fmt::print("# repsim fit {} --form {}: {}\n", files[0], form, what);
    fmt::print("# domain of validity (the runs' ranges): {}\n", DomainLine(domain));
    // Reports credit these constants to this fit, not to ratio2026's.
    fmt::print(
        "[law]\npreset = \"ratio2026\"\nsource = {}\n",
        io::JsonString(fmt::format("repsim fit --form ratio to {} runs from {}, objective {}",
                                   runs->size(), files[0], io::Num(objective))));
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
      for (std::string& c : BootstrapCells(boot_rows, i)) row.push_back(std::move(c));
    }
    table.AddRow(std::move(row));
  }
  if (format == "table") {
    fmt::print("{}", FormFitPreamble(
                         fmt::format("{}: {}; {} of {} starts reached the best{}", files[0], what,
                                     converged, starts,
                                     boot.empty() ? ""
                                                  : fmt::format("; {} of {} resamples refitted",
                                                                boot.size(), ff.bootstrap)),
                         domain));
    fmt::print("{}", io::RenderText(table, io::TextWidth()));
  } else {
    fmt::print(
        "{}", io::Render(table, format == "json" ? io::TableFormat::kJson : io::TableFormat::kCsv));
  }
  return 0;
}

}  // namespace repsim::cli
