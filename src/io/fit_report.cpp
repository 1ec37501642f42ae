#include "io/fit_report.h"

#include <fmt/format.h>

#include "io/result_fields.h"
#include "repsim/law.h"

namespace repsim::io {
namespace {

using K = FieldKind;

Value Spread(const ParamSpread& s) { return FieldsValue(ParamSpreadFields(), s); }

Value Constants(const FitReport& r) {
  Value::Object o;
  for (FitParam p : FitParams(r.fit.form)) {
    o.push_back({std::string(ToString(p)), Get(r.fit.constants, p)});
  }
  return o;
}

Value Fixed(const FitReport& r) {
  Value::List l;
  for (FitParam p : FitParams(r.fit.form)) {
    if (r.is_fixed(p)) l.emplace_back(std::string(ToString(p)));
  }
  return l;
}

Value Bootstrap(const FitReport& r) {
  if (!r.boot) return nullptr;
  const BootstrapResult& b = *r.boot;
  Value::Object o = {{"resamples", b.resamples}, {"seed", b.seed}, {"failed", b.failed}};
  for (FitParam p : FitParams(r.fit.form)) {
    o.push_back({std::string(ToString(p)), Spread(b.params[static_cast<size_t>(p)])});
  }
  o.push_back({"exponent_a", Spread(b.exponent_a)});
  o.push_back({"exponent_b", Spread(b.exponent_b)});
  return o;
}

double Int(int v) { return static_cast<double>(v); }

constexpr Field<FitReport> kFitReport[] = {
    ValueField<FitReport>("file",
                          [](const FitReport& r) { return r.file ? Value(*r.file) : Value(); }),
    {"form", K::kText, nullptr,
     [](const FitReport& r) { return std::string(ToString(r.fit.form)); }},
    {"runs", K::kInteger, [](const FitReport& r) { return Int(r.fit.runs); }},
    {"runs_read", K::kInteger, [](const FitReport& r) { return Int(r.runs_read); }},
    {"dropped_highest", K::kInteger, [](const FitReport& r) { return Int(r.dropped_highest); }},
    {"huber_delta", K::kNumber, [](const FitReport& r) { return r.options.huber_delta; }},
    {"starts", K::kInteger, [](const FitReport& r) { return Int(r.fit.starts); }},
    {"failed_starts", K::kInteger, [](const FitReport& r) { return Int(r.fit.failed_starts); }},
    // 1-based: the start grid's row, as the text output's "start #N".
    {"best_start", K::kInteger, [](const FitReport& r) { return Int(r.fit.best_start + 1); }},
    {"converged_to_best", K::kInteger,
     [](const FitReport& r) { return Int(r.fit.converged_to_best); }},
    {"same_optimum_tol", K::kNumber, [](const FitReport&) { return kSameOptimumTol; }},
    {"objective", K::kNumber, [](const FitReport& r) { return r.fit.objective; }},
    ValueField<FitReport>("constants", Constants),
    ValueField<FitReport>("fixed", Fixed),
    ValueField<FitReport>(
        "fix_preset",
        [](const FitReport& r) { return r.fix_preset ? Value(*r.fix_preset) : Value(); }),
    {"exponent_a", K::kNumber, [](const FitReport& r) { return r.fit.exponent_a; }},
    {"exponent_b", K::kNumber, [](const FitReport& r) { return r.fit.exponent_b; }},
    ValueField<FitReport>(
        "domain", [](const FitReport& r) { return FieldsValue(LawDomainFields(), r.domain); }),
    ValueField<FitReport>("warnings",
                          [](const FitReport& r) {
                            Value::List l(r.fit.warnings.begin(), r.fit.warnings.end());
                            return Value(std::move(l));
                          }),
    ValueField<FitReport>("bootstrap", Bootstrap),
};

// A TOML float: 17 significant digits, always with a '.' or an exponent.
std::string TomlFloat(double v) {
  std::string s = fmt::format("{:.17g}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // "n": nan / inf
  return s;
}

}  // namespace

FieldTable<FitReport> FitReportFields() { return kFitReport; }

Value FitReportValue(const FitReport& r) { return FieldsValue(FitReportFields(), r); }

std::string FitReportJson(const FitReport& r) { return ValueJson(FitReportValue(r)) + "\n"; }

std::string FitRunsLine(const FitReport& r) {
  std::string s = fmt::format("{} runs", r.fit.runs);
  if (r.file) s += fmt::format(" from {}", *r.file);
  if (r.dropped_highest > 0) {
    s += fmt::format(" ({} of {} kept: the {} highest losses dropped)", r.fit.runs, r.runs_read,
                     r.dropped_highest);
  }
  return s;
}

std::string FitReportToml(const FitReport& r) {
  const FitResult& fit = r.fit;
  std::string out = fmt::format(
      "# Fitted by `{}` to {}: Huber(delta = {}) on log loss, best of {} L-BFGS starts, "
      "objective {}.\n",
      r.made_by, FitRunsLine(r), Num(r.options.huber_delta), fit.starts, Num(fit.objective));
  std::string fixed;
  for (FitParam p : FitParams(fit.form)) {
    if (r.is_fixed(p)) fixed += (fixed.empty() ? "" : ", ") + std::string(ToString(p));
  }
  if (!fixed.empty()) {
    out += fmt::format("# Held fixed: {}{}.\n", fixed,
                       r.fix_preset ? fmt::format(" ({})", r.fix_preset_given_as) : "");
  }
  if (r.boot) {
    std::string se;
    for (FitParam p : FitParams(fit.form)) {
      if (r.is_fixed(p)) continue;
      se += fmt::format("{}{} {}", se.empty() ? "" : ", ", ToString(p),
                        Short(r.boot->params[static_cast<size_t>(p)].std_error));
    }
    out += fmt::format("# Bootstrap standard errors ({} resamples, seed {}): {}.\n",
                       r.boot->resamples, r.boot->seed, se);
  }
  out += fmt::format("# Domain of validity (the runs' ranges): {}.\n", DomainLine(r.domain));
  for (const std::string& w : fit.warnings) out += fmt::format("# warning: {}\n", w);
  out += "[law]\n";
  // The preset whose form the fitted constants belong to; every constant is
  // then overridden.
  const bool dc = fit.form == FitForm::kDataConstrained;
  out += fmt::format("preset = \"{}\"\n",
                     ToString(dc ? LawPreset::kMuennighoff2023 : LawPreset::kChinchilla2022));
  // Reports credit these constants to this fit, not to the preset's paper.
  out += fmt::format("source = {}\n", JsonString(fmt::format("{} to {}, objective {}", r.made_by,
                                                             FitRunsLine(r), Num(fit.objective))));
  for (FitParam p : FitParams(fit.form)) {
    out += fmt::format("{} = {}\n", ToString(p), TomlFloat(Get(fit.constants, p)));
  }
  return out;
}

}  // namespace repsim::io
