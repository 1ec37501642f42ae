#include "io/result_fields.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

namespace repsim::io {
namespace {

using K = FieldKind;

std::string Held(const std::vector<std::string>& held) {
  return fmt::format("{}", fmt::join(held, " "));
}

constexpr Field<LawDomain> kLawDomain[] = {
    {"params_min", K::kNumber, [](const LawDomain& d) { return d.params_min; }},
    {"params_max", K::kNumber, [](const LawDomain& d) { return d.params_max; }},
    {"tokens_min", K::kNumber, [](const LawDomain& d) { return d.tokens_min; }},
    {"tokens_max", K::kNumber, [](const LawDomain& d) { return d.tokens_max; }},
    {"unique_tokens_min", K::kNumber, [](const LawDomain& d) { return d.unique_tokens_min; }},
    {"unique_tokens_max", K::kNumber, [](const LawDomain& d) { return d.unique_tokens_max; }},
    {"epochs_min", K::kNumber, [](const LawDomain& d) { return d.epochs_min; }},
    {"epochs_max", K::kNumber, [](const LawDomain& d) { return d.epochs_max; }},
};

constexpr Field<ParamSpread> kParamSpread[] = {
    {"mean", K::kNumber, [](const ParamSpread& s) { return s.mean; }, nullptr, FieldStyle::kPlain,
     false},
    {"std_error", K::kNumber, [](const ParamSpread& s) { return s.std_error; }},
    {"ci95_low", K::kNumber, [](const ParamSpread& s) { return s.ci95_low; }},
    {"ci95_high", K::kNumber, [](const ParamSpread& s) { return s.ci95_high; }},
};

constexpr Field<PlanPoint> kPlanPoint[] = {
    {"params", K::kNumber, [](const PlanPoint& p) { return p.params; }, nullptr,
     FieldStyle::kCount},
    {"tokens", K::kNumber, [](const PlanPoint& p) { return p.tokens; }, nullptr,
     FieldStyle::kCount},
    {"unique_tokens", K::kNumber, [](const PlanPoint& p) { return p.unique_tokens; }, nullptr,
     FieldStyle::kCount, false},
    {"epochs", K::kNumber, [](const PlanPoint& p) { return p.epochs; }},
    {"flops", K::kNumber, [](const PlanPoint& p) { return p.flops; }},
    {"loss", K::kNumber, [](const PlanPoint& p) { return p.loss; }, nullptr, FieldStyle::kLoss},
    {"loss_if_fresh", K::kNumber, [](const PlanPoint& p) { return p.fresh_loss; }, nullptr,
     FieldStyle::kLoss},
};

double NaN() { return std::numeric_limits<double>::quiet_NaN(); }

constexpr Field<PlanTableRow> kPlanTableRow[] = {
    {"params", K::kNumber, [](const PlanTableRow& r) { return r.params; }, nullptr,
     FieldStyle::kCount},
    {"flops", K::kNumber, [](const PlanTableRow& r) { return r.flops; }},
    {"gopher_units", K::kNumber, [](const PlanTableRow& r) { return r.gopher_units; }, nullptr,
     FieldStyle::kGopher},
    {"tokens", K::kNumber, [](const PlanTableRow& r) { return r.tokens; }, nullptr,
     FieldStyle::kCount},
    {"tokens_per_param", K::kNumber, [](const PlanTableRow& r) { return r.tokens / r.params; }},
    // The published row's (Table 3), when the size is one: NaN / empty otherwise.
    {"published_flops", K::kOptional,
     [](const PlanTableRow& r) { return r.published ? r.published->flops : NaN(); }},
    {"published_tokens", K::kOptional,
     [](const PlanTableRow& r) { return r.published ? r.published->tokens : NaN(); }, nullptr,
     FieldStyle::kCount},
    {"flops_off_pct", K::kOptional,
     [](const PlanTableRow& r) { return r.published ? 100.0 * r.flops_deviation : NaN(); }, nullptr,
     FieldStyle::kPercent},
    {"tokens_off_pct", K::kOptional,
     [](const PlanTableRow& r) { return r.published ? 100.0 * r.tokens_deviation : NaN(); },
     nullptr, FieldStyle::kPercent},
    {"extrapolation", K::kText, nullptr, [](const PlanTableRow& r) { return r.extrapolation; }},
    // Whether the published row is one approach 1 was fitted to (not a column).
    {"fitted", K::kBool,
     [](const PlanTableRow& r) {
       return r.published && UsedInApproach1Fit(*r.published) ? 1.0 : 0.0;
     },
     nullptr, FieldStyle::kPlain, false},
};

constexpr Field<ScaleRow> kScaleRow[] = {
    {"relation", K::kText, nullptr, [](const ScaleRow& r) { return r.relation.relation; }},
    {"params_exponent", K::kNumber, [](const ScaleRow& r) { return r.result.exponents.params; }},
    {"tokens_exponent", K::kNumber, [](const ScaleRow& r) { return r.result.exponents.tokens; }},
    {"compute_factor", K::kNumber, [](const ScaleRow& r) { return r.result.compute_factor; }},
    {"params_factor", K::kNumber, [](const ScaleRow& r) { return r.result.params_factor; }},
    {"tokens_factor", K::kNumber, [](const ScaleRow& r) { return r.result.tokens_factor; }},
    {"source", K::kText, nullptr, [](const ScaleRow& r) { return r.relation.source; }},
};

constexpr Field<ValidationRow> kValidationRow[] = {
    {"candidate", K::kText, nullptr, [](const ValidationRow& r) { return r.candidate; }},
    {"evaluation", K::kText, nullptr, [](const ValidationRow& r) { return r.evaluation; }},
    {"pairs", K::kInteger, [](const ValidationRow& r) { return static_cast<double>(r.pairs); }},
    {"median_abs_error_pp", K::kNumber,
     [](const ValidationRow& r) { return r.median_abs_error_pp; }},
    {"mean_abs_error_pp", K::kNumber, [](const ValidationRow& r) { return r.mean_abs_error_pp; }},
    {"max_abs_error_pp", K::kNumber, [](const ValidationRow& r) { return r.max_abs_error_pp; }},
    {"moderate_pairs", K::kInteger,
     [](const ValidationRow& r) { return static_cast<double>(r.moderate_pairs); }},
    {"moderate_ratio_median", K::kOptional,
     [](const ValidationRow& r) { return r.moderate_ratio_median; }},
    {"held_at_preset", K::kText, nullptr, [](const ValidationRow& r) { return Held(r.held); }},
};

constexpr Field<AllocationRow> kAllocationRow[] = {
    {"candidate", K::kText, nullptr, [](const AllocationRow& r) { return r.candidate; }},
    {"evaluation", K::kText, nullptr, [](const AllocationRow& r) { return r.evaluation; }},
    {"groups", K::kInteger, [](const AllocationRow& r) { return static_cast<double>(r.groups); }},
    {"hits", K::kInteger, [](const AllocationRow& r) { return static_cast<double>(r.hits); }},
    {"median_regret_pct", K::kNumber, [](const AllocationRow& r) { return r.median_regret_pct; }},
    {"mean_regret_pct", K::kNumber, [](const AllocationRow& r) { return r.mean_regret_pct; }},
    {"max_regret_pct", K::kNumber, [](const AllocationRow& r) { return r.max_regret_pct; }},
    {"loss_runs", K::kInteger,
     [](const AllocationRow& r) { return static_cast<double>(r.loss_runs); }},
    {"median_loss_error_pct", K::kNumber,
     [](const AllocationRow& r) { return r.median_loss_error_pct; }},
    {"mean_loss_error_pct", K::kNumber,
     [](const AllocationRow& r) { return r.mean_loss_error_pct; }},
    {"max_loss_error_pct", K::kNumber, [](const AllocationRow& r) { return r.max_loss_error_pct; }},
    {"held_at_preset", K::kText, nullptr, [](const AllocationRow& r) { return Held(r.held); }},
};

}  // namespace

FieldTable<LawDomain> LawDomainFields() { return kLawDomain; }
FieldTable<ParamSpread> ParamSpreadFields() { return kParamSpread; }
FieldTable<PlanPoint> PlanPointFields() { return kPlanPoint; }
FieldTable<PlanTableRow> PlanTableRowFields() { return kPlanTableRow; }
FieldTable<ScaleRow> ScaleRowFields() { return kScaleRow; }
FieldTable<ValidationRow> ValidationRowFields() { return kValidationRow; }
FieldTable<AllocationRow> AllocationRowFields() { return kAllocationRow; }

}  // namespace repsim::io
