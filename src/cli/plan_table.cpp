// `repsim plan table`: the compute-optimal table of Hoffmann et al. 2022.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "cli/plan_common.h"
#include "io/result_fields.h"
#include "repsim/law.h"
#include "repsim/plan.h"

namespace repsim::cli {
namespace {

constexpr const char* kTableExamples =
    "Examples:\n"
    "  repsim plan table\n"
    "  repsim plan table --params 7B,13B,70B --format csv\n"
    "  repsim plan table --law chinchilla2022";

std::string TableDeviationLines() {
  const Cells h(io::TableFormat::kText);
  std::vector<double> params;
  for (const ChinchillaTableRow& r : ChinchillaTable3()) {
    params.push_back(r.params);
  }
  const auto rows = ComputeOptimalTable(params);
  std::string out;
  double worst_fitted = 0;
  for (const PlanTableRow& r : *rows) {
    if (UsedInApproach1Fit(*r.published)) {
      worst_fitted =
          std::max({worst_fitted, std::fabs(r.tokens_deviation), std::fabs(r.flops_deviation)});
    }
    out += fmt::format(
        "  {:>5}  tokens {:>7} vs {:>6} ({:>+5.2f} %)   FLOPs {:.4g} vs {:.3g} ({:>+5.2f} %){}\n",
        h.Count(r.params), h.Count(r.tokens), h.Count(r.published->tokens),
        100 * r.tokens_deviation, r.flops, r.published->flops, 100 * r.flops_deviation,
        UsedInApproach1Fit(*r.published) ? "" : "   (not fitted)");
  }
  out += fmt::format("The fitted rows are all within {:.2f} % on tokens and FLOPs.\n",
                     100 * worst_fitted);
  return out;
}

std::string TableUsage() {
  const PowerLaw fit = ChinchillaApproach1TokensForParams();
  const ScalingExponents e = AllocationExponents(fit);
  // The kaplan2020 preset's own ComputeOptimal: N ∝ C^(1/(1 + alpha_N/alpha_D)).
  const Law kaplan = MakeLaw(LawPreset::kKaplan2020);
  const double kaplan_params_exponent = 1.0 / (1.0 + kaplan.alpha_n / kaplan.alpha_d);
  return fmt::format(
      "Usage: repsim plan table [--params LIST] [--law PRESET] [--format FMT]\n\n"
      "The compute-optimal table of Hoffmann et al. 2022 (\"Chinchilla\"), Table 3:\n"
      "for each model size N, the training tokens D and FLOPs C = 6 N D that make it\n"
      "compute-optimal, and C in Gopher units (Gopher's budget, {:.3g} FLOPs).\n\n"
      "Which relation produces the rows:\n"
      "  default      approach 1 of the paper, whose projections Table 3 lists: tokens grow\n"
      "               in proportion to parameters, D = k N^a. repsim fits k and a by least\n"
      "               squares on log D versus log N to the published (params, tokens) rows,\n"
      "               in code, from the rows; the 67B row is left out because its FLOPs were\n"
      "               rounded to Gopher's budget (6 N D with its 1.5T tokens is 6.03e23, not\n"
      "               5.76e23). Result: D = {:.4g} N^{:.5f}, i.e. N ∝ C^{:.3f}, D ∝ C^{:.3f}\n"
      "               (the paper: a = b = 0.50), about {:.1f} tokens per parameter.\n"
      "  --law PRESET that preset's compute-optimal allocation (law.h ComputeOptimal;\n"
      "               Hoffmann eq. 4 for Chinchilla-form laws): the D for which N is optimal.\n"
      "               For kaplan2020 this is the allocation of its L(N, D) law (eq. 1.5),\n"
      "               N ∝ C^{:.3f} -- not Kaplan's N ∝ C^0.73, which `repsim plan scale` shows.\n\n"
      "How far each published row is off with the default relation (ours vs published):\n"
      "{}"
      "\n"
      "Columns: params, flops (6 N D), gopher_units (flops / {:.3g}), tokens,\n"
      "tokens_per_param; for a size that is a published row also published_flops,\n"
      "published_tokens and flops_off_pct / tokens_off_pct = 100 (ours / published - 1).\n\n"
      "{}",
      kGopherFlops, fit.coefficient, fit.exponent, e.params, e.tokens, fit(1e9) / 1e9,
      kaplan_params_exponent, TableDeviationLines(), kGopherFlops, kQuantitiesHelp);
}

}  // namespace

int PlanTable(const Args& args) {
  std::vector<std::string> params_flags;
  PlannerFlags common;
  FlagSet flags("plan table", TableUsage());
  flags.Repeated("params", "LIST", &params_flags,
                 "model sizes, comma-separated (default: the 9 rows of Table 3)");
  AddPlannerFlags(flags, &common, "use this preset's compute-optimal allocation");
  flags.Epilogue(kTableExamples);
  if (auto code = flags.Parse(args)) return *code;
  const Expected<io::TableFormat> format = PlannerFormat(common);
  if (!format) return flags.UsageError(format.error());

  std::vector<double> params;
  if (!params_flags.empty()) {
    for (const std::string& item : params_flags) {
      size_t start = 0;
      while (true) {
        const size_t comma = item.find(',', start);
        const std::string one = item.substr(start, comma - start);
        Expected<double> n =
            PositiveNumber("--params", one, NumberKind::kQuantity, "parameters, e.g. 7B");
        if (!n) return flags.UsageError(n.error());
        params.push_back(*n);
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
    }
  } else {
    for (const ChinchillaTableRow& r : ChinchillaTable3()) {
      params.push_back(r.params);
    }
  }

  std::optional<Law> law;
  if (flags.Given("law")) {
    Expected<Law> l = PlannerLaw(flags, common);
    if (!l) return flags.UsageError(l.error());
    law = *l;
  }
  const Expected<std::vector<PlanTableRow>> rows =
      law ? ComputeOptimalTable(*law, params) : ComputeOptimalTable(params);
  if (!rows) return flags.UsageError(rows.error());

  // The row table's columns; the optional ones (the published row's) only
  // when some row has a published row.
  const bool any_published = std::any_of(
      rows->begin(), rows->end(), [](const PlanTableRow& r) { return r.published.has_value(); });
  std::vector<io::Field<PlanTableRow>> fields;
  for (const io::Field<PlanTableRow>& f : io::PlanTableRowFields()) {
    if (f.kind != io::FieldKind::kOptional || any_published) fields.push_back(f);
  }
  const Cells c(*format);
  io::Table t;
  io::AddFieldColumns(t, io::FieldTable<PlanTableRow>(fields));
  for (const PlanTableRow& r : *rows) {
    std::vector<std::string> cells;
    io::AppendFieldCells(
        cells, io::FieldTable<PlanTableRow>(fields), r,
        [&](const io::Field<PlanTableRow>& f, const PlanTableRow& x) { return c.Field(f, x); });
    t.AddRow(std::move(cells));
  }

  if (*format == io::TableFormat::kText) {
    if (law) {
      fmt::print("Compute-optimal allocation of {} ({}).\n", ToString(law->preset),
                 LawSource(law->preset));
    } else {
      const PowerLaw fit = ChinchillaApproach1TokensForParams();
      fmt::print(
          "Compute-optimal table, Hoffmann et al. 2022 Table 3 (approach 1): D = {:.4g} N^{:.5f},\n"
          "fitted in log space to the published rows (67B left out: rounded to Gopher's budget).\n",
          fit.coefficient, fit.exponent);
    }
    fmt::print("FLOPs = 6 N D; Gopher unit = {:.3g} FLOPs.\n\n", kGopherFlops);
  }
  Print(t, *format);
  if (*format == io::TableFormat::kText && any_published) {
    fmt::print("\n*_off_pct = 100 (ours / published - 1), against Table 3 as published.\n");
  }
  return kExitOk;
}

}  // namespace repsim::cli
