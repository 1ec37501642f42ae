// `repsim plan kaplan`: Kaplan et al. 2020's relations besides L(N, D).
#include "repsim/plan.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "cli/plan_common.h"
#include "repsim/law.h"

namespace repsim::cli {
namespace {

constexpr const char* kKaplanExamples =
    "Examples:\n"
    "  repsim plan kaplan --loss 2.5\n"
    "  repsim plan kaplan --params 1.5B --steps 250K\n"
    "  repsim plan kaplan --compute 3.14e23";

std::string KaplanUsage() {
  const Law k = MakeLaw(LawPreset::kKaplan2020);
  return fmt::format(
      "Usage: repsim plan kaplan [--loss L] [--params N [--steps S]] [--compute C] [--format "
      "FMT]\n\n"
      "Kaplan et al. 2020's relations besides L(N, D) (MODEL.md §1). Each flag adds rows:\n"
      "  --loss L     critical batch size B_crit(L) = B* / L^(1/alpha_B)      (eq. 1.4)\n"
      "               and what reaching L takes: N = N_c L^(-1/alpha_N) with unlimited\n"
      "               data (eq. 1.1), D = D_c L^(-1/alpha_D) with a large enough model\n"
      "               (eq. 1.2), C_min = C_c L^(-1/alpha_C) spent compute-efficiently (eq. 1.3)\n"
      "  --params N   the converged loss L(N) = (N_c/N)^alpha_N (eq. 1.1) and the data\n"
      "               needed to avoid overfitting, D >~ {:g} N^{} (eq. 4.4)\n"
      "  --steps S    with --params: L(N, S) = (N_c/N)^alpha_N + (S_c/S)^alpha_S (eq. 1.6)\n"
      "               and B_crit at that loss. S is S_min, the steps at a batch far above\n"
      "               B_crit; S steps at batch B count as S / (1 + B_crit/B) (§5.1)\n"
      "  --compute C  in FLOPs (1 PF-day = {:g} FLOPs): L(C_min) = (C_c/C_min)^alpha_C\n"
      "               (eq. 1.3) and B_crit at that loss\n\n"
      "Constants (Kaplan et al. 2020; alpha_N, N_c, alpha_D, D_c are the kaplan2020 preset's):\n"
      "  alpha_N = {}, N_c = {:g} non-embedding params; alpha_D = {}, D_c = {:g} tokens;\n"
      "  B* = {:g} tokens (the paper rounds to 2e8), alpha_B = {}; S_c = {:g} steps, alpha_S = "
      "{};\n"
      "  C_c = {:g} PF-days, alpha_C = {}.\n"
      "Losses are nats per token of Kaplan's tokenizer (WebText2) and N excludes embeddings:\n"
      "not comparable with the other presets.\n\n"
      "Columns: quantity, value, unit, relation, source.\n\n"
      "{}",
      kKaplanOverfitCoefficient, kKaplanOverfitExponent, kFlopsPerPetaflopDay, k.alpha_n, k.n_c,
      k.alpha_d, k.d_c, kKaplanBStar, kKaplanAlphaB, kKaplanSc, kKaplanAlphaS,
      kKaplanCcPetaflopDays, kKaplanAlphaC, kQuantitiesHelp);
}

}  // namespace

int PlanKaplan(const Args& args) {
  std::string loss_text, params_text, steps_text, compute_text;
  PlannerFlags common;
  FlagSet flags("plan kaplan", KaplanUsage());
  flags.Value("loss", '\0', "L", &loss_text, "a loss in nats (Kaplan's tokenizer)")
      .Value("params", '\0', "N", &params_text, "non-embedding parameters, e.g. 1.5B")
      .Value("steps", '\0', "S", &steps_text, "optimiser steps S_min (with --params)")
      .Value("compute", '\0', "C", &compute_text, "training FLOPs, e.g. 3.14e23");
  AddPlannerFlags(flags, &common);
  flags.Epilogue(kKaplanExamples);
  if (auto code = flags.Parse(args)) return *code;
  const Expected<io::TableFormat> format = PlannerFormat(common);
  if (!format) return flags.UsageError(format.error());
  const auto loss = OptionalNumber(flags, "loss", loss_text, NumberKind::kNumber, "nats, e.g. 2.5");
  const auto n = OptionalNumber(flags, "params", params_text, NumberKind::kQuantity,
                                "non-embedding parameters, e.g. 1.5B");
  const auto s = OptionalNumber(flags, "steps", steps_text, NumberKind::kQuantity,
                                "optimiser steps, e.g. 250K");
  const auto c = OptionalNumber(flags, "compute", compute_text, NumberKind::kQuantity,
                                "training FLOPs, e.g. 3.14e23");
  for (const auto* v : {&loss, &n, &s, &c}) {
    if (!*v) return flags.UsageError(v->error());
  }
  if (*s && !*n) {
    return flags.UsageError("--steps needs --params N: L(N, S) depends on both");
  }
  if (!*loss && !*n && !*c) {
    return flags.UsageError("missing --loss L, --params N or --compute C: nothing to compute");
  }

  const Cells cell(*format);
  io::Table t;
  t.AddColumn("quantity", false);
  t.AddColumn("value");
  t.AddColumn("unit", false);
  t.AddColumn("relation", false);
  t.AddColumn("source", false);
  auto row = [&](std::string q, std::string value, std::string unit, std::string rel,
                 const std::string& src) {
    t.AddRow({std::move(q), std::move(value), std::move(unit), std::move(rel),
              "Kaplan et al. 2020 " + src});
  };
  const std::string nats = "nats (Kaplan's tokenizer)";
  if (*loss) {
    const double l = **loss;
    row(fmt::format("critical batch size at L = {}", cell.Number(l)),
        cell.Count(KaplanCriticalBatch(l)), "tokens", "B* / L^(1/alpha_B)", "eq. 1.4");
    row("params reaching L (converged, unlimited data)", cell.Count(KaplanParamsForLoss(l)),
        "non-embedding params", "N_c L^(-1/alpha_N)", "eq. 1.1 inverted");
    row("tokens reaching L (large model, early stop)", cell.Count(KaplanTokensForLoss(l)), "tokens",
        "D_c L^(-1/alpha_D)", "eq. 1.2 inverted");
    row("compute reaching L (compute-efficient)", cell.Number(KaplanComputeForLoss(l)), "FLOPs",
        "C_c L^(-1/alpha_C)", "eq. 1.3 inverted");
    row("compute reaching L (compute-efficient)",
        cell.Number(KaplanComputeForLoss(l) / kFlopsPerPetaflopDay), "PF-days",
        "C_c L^(-1/alpha_C)", "eq. 1.3 inverted");
  }
  if (*n) {
    const double nn = **n;
    row(fmt::format("converged loss of N = {}", cell.Count(nn)), cell.Loss(KaplanLossForParams(nn)),
        nats, "(N_c/N)^alpha_N", "eq. 1.1");
    row("tokens to avoid overfitting", cell.Count(KaplanTokensToAvoidOverfitting(nn)), "tokens",
        fmt::format("D >~ {:g} N^{}", kKaplanOverfitCoefficient, kKaplanOverfitExponent),
        "eq. 4.4");
    if (*s) {
      const double l = KaplanLossForParamsSteps(nn, **s);
      row(fmt::format("loss after S_min = {} steps", cell.Count(**s)), cell.Loss(l), nats,
          "(N_c/N)^alpha_N + (S_c/S)^alpha_S", "eq. 1.6");
      row("critical batch size at that loss", cell.Count(KaplanCriticalBatch(l)), "tokens",
          "B* / L^(1/alpha_B)", "eq. 1.4");
    }
  }
  if (*c) {
    const double l = KaplanLossForCompute(**c);
    row(fmt::format("compute C = {} FLOPs", cell.Number(**c)),
        cell.Number(**c / kFlopsPerPetaflopDay), "PF-days", "C / 8.64e19", "§1.2 (units)");
    row("loss with compute-efficient training", cell.Loss(l), nats, "(C_c/C_min)^alpha_C",
        "eq. 1.3");
    row("critical batch size at that loss", cell.Count(KaplanCriticalBatch(l)), "tokens",
        "B* / L^(1/alpha_B)", "eq. 1.4");
  }
  if (*format == io::TableFormat::kText) {
    fmt::print("Kaplan et al. 2020 relations (its tokenizer's nats; non-embedding params).\n\n");
  }
  Print(t, *format);
  return kExitOk;
}

}  // namespace repsim::cli
