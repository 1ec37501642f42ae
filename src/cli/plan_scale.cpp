// `repsim plan scale`: how N and D grow with compute (Kaplan vs Chinchilla).
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli/plan_common.h"
#include "io/result_fields.h"
#include "repsim/law.h"
#include "repsim/plan.h"

namespace repsim::cli {
namespace {

constexpr const char* kScaleExamples =
    "Examples:\n"
    "  repsim plan scale --factor 10 --law kaplan2020\n"
    "  repsim plan scale --factor 10 --compare";

std::string ScaleUsage() {
  const Law chin = MakeLaw(LawPreset::kChinchilla2022);
  const ScalingExponents ce = AllocationExponents(chin);
  const ScalingExponents fe = AllocationExponents(ChinchillaApproach1TokensForParams());
  return fmt::format(
      "Usage: repsim plan scale --factor K [--law PRESET | --compare] [--format FMT]\n\n"
      "How the model size N and the training tokens D should grow when the compute\n"
      "budget grows K-fold, N ∝ C^a and D ∝ C^b (a + b = 1, since C = 6 N D):\n\n"
      "  kaplan2020      Kaplan et al. 2020 eq. 1.7: a = {}, b = {} (N ∝ C^0.73,\n"
      "                  B ∝ C^0.24, S ∝ C^0.03, D = B S): 10x compute -> {:.2f}x N, {:.2f}x D.\n"
      "                  (From Kaplan's fits at the critical batch size, not from the\n"
      "                  preset's L(N, D) law.)\n"
      "  Chinchilla form Hoffmann et al. 2022 eq. 4: a = beta/(alpha+beta), b = "
      "alpha/(alpha+beta)\n"
      "                  of the preset's constants, e.g. chinchilla2022 a = {:.3f}, b = {:.3f};\n"
      "                  muennighoff2023 (alpha = beta) a = b = 0.5: 10x -> {:.2f}x each.\n\n"
      "--compare prints every preset side by side, plus the approach-1 fit of Table 3\n"
      "(`repsim plan table`: a = {:.3f}, b = {:.3f}), the contrast of Hoffmann et al.\n"
      "2022 Table 2 (Kaplan 0.73 / 0.27 against approaches 1-3, 0.50 / 0.50 to 0.46 / 0.54).\n"
      "Without --law or --compare the preset is {}.\n\n"
      "Columns: relation, params_exponent (a), tokens_exponent (b), compute_factor (K),\n"
      "params_factor (K^a), tokens_factor (K^b), source.\n\n"
      "{}",
      kKaplanParamsExponent, kKaplanTokensExponent, std::pow(10.0, kKaplanParamsExponent),
      std::pow(10.0, kKaplanTokensExponent), ce.params, ce.tokens, std::sqrt(10.0), fe.params,
      fe.tokens, ToString(kDefaultLawPreset), kQuantitiesHelp);
}

}  // namespace

int PlanScale(const Args& args) {
  std::string factor_text;
  bool compare = false;
  PlannerFlags common;
  FlagSet flags("plan scale", ScaleUsage());
  flags
      .Value("factor", '\0', "K", &factor_text,
             "compute grows K-fold (required; K > 0, K < 1 shrinks)")
      .Switch("compare", '\0', &compare, "every preset and the Table 3 fit side by side");
  AddPlannerFlags(flags, &common, "the preset");
  flags.Epilogue(kScaleExamples);
  if (auto code = flags.Parse(args)) return *code;
  const Expected<io::TableFormat> format = PlannerFormat(common);
  if (!format) return flags.UsageError(format.error());
  if (!flags.Given("factor")) {
    return flags.UsageError("missing --factor K: how many times more compute (a number > 0)");
  }
  Expected<double> factor = PositiveNumber("--factor", factor_text, NumberKind::kNumber,
                                           "how many times more compute, e.g. 10");
  if (!factor) return flags.UsageError(factor.error());
  if (compare && flags.Given("law")) {
    return flags.UsageError("--compare prints every preset; give either --compare or --law");
  }
  Expected<Law> law = PlannerLaw(flags, common);
  if (!law) return flags.UsageError(law.error());

  const std::vector<ScaleRelation> relations =
      compare ? AllScaleRelations() : std::vector<ScaleRelation>{ScaleRelationOf(*law)};
  const Cells c(*format);
  io::Table t;
  io::AddFieldColumns(t, io::ScaleRowFields());
  for (const ScaleRelation& relation : relations) {
    const Expected<ScaleRow> row = ScaleBy(relation, *factor);
    if (!row) return flags.UsageError(row.error());
    std::vector<std::string> cells;
    io::AppendFieldCells(
        cells, io::ScaleRowFields(), *row,
        [&](const io::Field<ScaleRow>& f, const ScaleRow& r) { return c.Field(f, r); });
    t.AddRow(std::move(cells));
  }
  if (*format == io::TableFormat::kText) {
    fmt::print("Compute x{}: N ∝ C^params_exponent, D ∝ C^tokens_exponent.\n\n", c.Number(*factor));
  }
  Print(t, *format);
  return kExitOk;
}

}  // namespace repsim::cli
