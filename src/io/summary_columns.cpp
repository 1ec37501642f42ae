#include "io/summary_columns.h"

#include <vector>

#include "io/table.h"

namespace repsim::io {
namespace {

std::string Opt(const std::optional<double>& v) { return v ? Num(*v) : std::string(); }

std::vector<SummaryColumn> Build() {
  using R = const Run&;
  using S = const Summary&;
  return {
      {"params", true, [](R, S s) { return Num(s.params); }, "N: total parameters (the law sees these)"},
      {"active_params", true, [](R, S s) { return Num(s.active_params); }, "parameters active per token (FLOPs use these)"},
      {"tokens", true, [](R, S s) { return Num(s.tokens); }, "D: training tokens seen"},
      {"unique_tokens", true, [](R, S s) { return Num(s.unique_tokens); }, "U: unique tokens available (sum over sources)"},
      {"epochs", true, [](R, S s) { return Num(s.epochs); }, "D / U: passes over the unique data"},
      {"compute", true, [](R, S s) { return Num(s.compute); }, "C = 6 active_params D: training FLOPs"},
      {"effective_tokens", true, [](R, S s) { return Num(s.effective_tokens); }, "D': what the seen tokens are worth as fresh tokens"},
      {"effective_fraction", true, [](R, S s) { return Num(s.effective_fraction); }, "D'/D: the share of training tokens that still count"},
      {"effective_params", true, [](R, S s) { return Num(s.effective_params); }, "N': parameters that still count (excess parameters decay, Muennighoff 2023; less capacity_lost)"},
      {"capacity_lost", true, [](R, S s) { return Num(s.capacity_lost); }, "share of N' taken by memorising repeated mixture sources (Hernandez et al. 2022; 0 for one source)"},
      {"loss_repeated", true, [](R, S s) { return Num(s.loss_repeated); }, "L(N', D'): predicted loss of this run, nats/token"},
      {"loss_unique", true, [](R, S s) { return Num(s.loss_unique); }, "predicted loss of the same run on all-fresh data, no dropout"},
      {"delta", true, [](R, S s) { return Num(s.delta); }, "loss_repeated - loss_unique: what repetition costs, nats"},
      {"delta_pct", true, [](R, S s) { return Num(s.delta_pct); }, "delta as a percentage of loss_unique"},
      {"equivalent_unique_tokens", true, [](R, S s) { return Opt(s.equivalent_unique_tokens); }, "D_eq: fresh tokens that would give the same loss with this model"},
      {"wasted_compute", true, [](R, S s) { return Opt(s.wasted_compute); }, "1 - D_eq/D: the share of training compute repetition wastes"},
      {"equivalent_params", true, [](R, S s) { return Opt(s.equivalent_params); }, "N_eq: model size that reaches the same loss on D fresh tokens"},
      {"marginal_value_last", true, [](R, S s) { return Num(s.marginal_value_last); }, "what the last token seen was worth, relative to a fresh one"},
      {"epochs_value_below_half", true, [](R, S s) { return Opt(s.epochs_value_below_half); }, "epochs after which a token is worth less than half a fresh one"},
      {"epochs_value_below_tenth", true, [](R, S s) { return Opt(s.epochs_value_below_tenth); }, "epochs after which a token is worth less than a tenth"},
      {"p_bar", true, [](R, S s) { return Num(s.p_bar); }, "p-bar: dropout on repeated tokens, averaged over all tokens (stretches R_N*)"},
      {"rd_star_effective", true, [](R, S s) { return Num(s.rd_star_effective); }, "R_D* x objective x size multipliers (decay of repeated data, epochs)"},
      {"rn_star_effective", true, [](R, S s) { return Num(s.rn_star_effective); }, "R_N* stretched by dropout (decay of excess parameters)"},
      {"extrapolation", false, [](R r, S) { return Extrapolation(r); }, "empty, or which ranges of the runs the law was fitted on this run is outside of, by what factor (repsim laws)"},
      {"law", false, [](R r, S) { return LawName(r.law); }, "the loss law: its preset, or \"custom (from PRESET, overridden: ...)\" when any constant was changed"},
      {"law_E", true, [](R r, S) { return Num(r.law.e); }, "resolved law constant E"},
      {"law_A", true, [](R r, S) { return Num(r.law.a); }, "resolved law constant A"},
      {"law_B", true, [](R r, S) { return Num(r.law.b); }, "resolved law constant B"},
      {"law_alpha", true, [](R r, S) { return Num(r.law.alpha); }, "resolved law constant alpha"},
      {"law_beta", true, [](R r, S) { return Num(r.law.beta); }, "resolved law constant beta"},
      {"law_rd_star", true, [](R r, S) { return Num(r.law.rd_star); }, "resolved R_D*"},
      {"law_rn_star", true, [](R r, S) { return Num(r.law.rn_star); }, "resolved R_N*"},
      {"objective", false, [](R r, S) { return std::string(ToString(r.objective)); }, "training objective"},
      {"objective_multiplier", true, [](R r, S) { return Num(r.modifiers.objective_multiplier.value_or(DefaultObjectiveMultiplier(r.objective))); }, "m_objective in force"},
      {"quality", true, [](R r, S) { double k = 0; for (auto& s : r.sources) k += s.weight * s.quality; return Num(k); }, "token-weighted data quality"},
      {"dropout_schedule", false, [](R r, S) { return std::string(ToString(r.dropout.schedule)); }, "dropout schedule"},
      {"dropout_rate", true, [](R r, S) { return Num(r.dropout.rate); }, "dropout rate (final rate for linear)"},
      {"dropout_start_epoch", true, [](R r, S) { return Num(r.dropout.start_epoch); }, "dropout start (step, linear)"},
      {"dropout_end_epoch", true, [](R r, S) { return Num(r.dropout.end_epoch); }, "dropout end (linear, early)"},
      {"c_drop", true, [](R r, S) { return Num(r.modifiers.c_drop); }, "dropout's learning-efficiency cost (our assumption)"},
      {"g0", true, [](R r, S) { return Num(r.modifiers.g0); }, "dropout's stretch of the decay at 1e9 params (calibrated, T2)"},
      {"eta", true, [](R r, S) { return Num(r.modifiers.eta); }, "scale exponent of dropout's benefit (our assumption)"},
      {"size_gamma", true, [](R r, S) { return Num(r.modifiers.size_gamma); }, "dataset-size modifier of the decay"},
      {"displacement", true, [](R r, S) { return Num(r.modifiers.displacement); }, "capacity-displacement strength lambda (calibrated, Hernandez et al. 2022)"},
      {"memorization_capacity", true, [](R r, S) { return Num(r.modifiers.memorization_capacity); }, "tokens a parameter can memorise (our assumption, from Morris et al. 2025)"},
  };
}

}  // namespace

std::span<const SummaryColumn> SummaryColumns() {
  static const std::vector<SummaryColumn> columns = Build();
  return columns;
}

}  // namespace repsim::io
