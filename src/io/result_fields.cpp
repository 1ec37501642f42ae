#include "io/result_fields.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

constexpr Field<FitResult> kFitResult[] = {
    {"objective", K::kNumber, [](const FitResult& r) { return r.objective; }},
    {"runs", K::kInteger, [](const FitResult& r) { return static_cast<double>(r.runs); }},
    {"starts", K::kInteger, [](const FitResult& r) { return static_cast<double>(r.starts); }},
    {"failed_starts", K::kInteger,
     [](const FitResult& r) { return static_cast<double>(r.failed_starts); }},
    {"converged_to_best", K::kInteger,
     [](const FitResult& r) { return static_cast<double>(r.converged_to_best); }},
    {"exponent_a", K::kNumber, [](const FitResult& r) { return r.exponent_a; }},
    {"exponent_b", K::kNumber, [](const FitResult& r) { return r.exponent_b; }},
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
FieldTable<FitResult> FitResultFields() { return kFitResult; }
FieldTable<PlanPoint> PlanPointFields() { return kPlanPoint; }
FieldTable<ValidationRow> ValidationRowFields() { return kValidationRow; }
FieldTable<AllocationRow> AllocationRowFields() { return kAllocationRow; }

}  // namespace repsim::io
