// Sweeps: grid indexing, per-point evaluation, and the closed-form fast path
// of MODEL.md §2 (see repsim/sweep.h; the grid kernel is in grid_kernel.cpp).
//
// ClosedFormEvaluator repeats, operation for operation, what engine.cpp's
// Timeline, Measure() and the shared solver (core/solve.h) do when there is one source and
// no dropout: the run is then one fresh interval [0, 1/s] and, past it, one
// repeated interval with constant decay, both in closed form. Keeping the
// same floating-point operations in the same order (only loop-invariant
// subexpressions are hoisted, which does not change their values) is what
// makes its Summary identical to Evaluate()'s; tests/test_sweep.cpp compares
// every column of both on grids of points, so a change to the engine that
// breaks the identity fails a test.

#include "repsim/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <exception>

#include "core/law_formulas.h"
#include "core/solve.h"
#include "repsim/displacement.h"
#include "repsim/scenario_keys.h"

namespace repsim {

// --- Grid geometry -----------------------------------------------------------

uint64_t SweepGridSize(std::span<const SweepAxis> axes) {
  uint64_t n = 1;
  for (const SweepAxis& a : axes) {
    assert(!a.values.empty());
    n *= a.values.size();
  }
  return n;
}

void SweepCoordinates(std::span<const SweepAxis> axes, uint64_t index, std::span<size_t> out) {
  assert(out.size() == axes.size());
  assert(index < SweepGridSize(axes));
  for (size_t k = axes.size(); k-- > 0;) {
    const uint64_t n = axes[k].values.size();
    out[k] = static_cast<size_t>(index % n);
    index /= n;
  }
}

std::vector<double> SweepValues(std::span<const SweepAxis> axes, uint64_t index) {
  std::vector<size_t> c(axes.size());
  SweepCoordinates(axes, index, c);
  std::vector<double> v(axes.size());
  for (size_t k = 0; k < axes.size(); ++k) v[k] = axes[k].values[c[k]];
  return v;
}

IndexRange ShardRange(uint64_t points, int shard, int shards) {
  assert(shards >= 1 && shard >= 0 && shard < shards);
  const auto n = static_cast<uint64_t>(shards);
  IndexRange r;
  r.begin = points * static_cast<uint64_t>(shard) / n;
  r.end = points * static_cast<uint64_t>(shard + 1) / n;
  return r;
}

// --- The closed form, as the engine evaluates it -----------------------------

namespace {

// FreshLoss(law, n, d) with the pieces that do not change during a solve
// computed once. Chinchilla form; the expressions are those of law.cpp's
// Loss() and ComputeOptimalParamsForTokens() and engine.cpp's EffectiveParams().
struct ChinchillaFresh {
  const Law& law;
  double log_ratio;  // log(alpha A / (beta B))

  ChinchillaFresh(const Law& l, double lr) : law(l), log_ratio(lr) {}

  double OptimalParams(double d) const {
    return std::exp((log_ratio + law.beta * std::log(d)) / law.alpha);
  }
  // EffectiveParams(law, n, seen = d, rn_star) given OptimalParams(d).
  double Effective(double n, double optimal, double rn_star) const {
    return formulas::EffectiveParams<double>(n, optimal, rn_star);
  }
  double Effective(double n, double optimal) const { return Effective(n, optimal, law.rn_star); }
};

// The bits of a double, to compare memo keys exactly.
uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }

}  // namespace

bool ClosedFormEvaluator::AppliesWith(const Run& run, double g_pow) {
  if (run.sources.size() != 1 || run.dropout.schedule != DropoutSchedule::kNone) return false;
  // The closed form has no capacity-displacement term (MODEL.md §3b): a run
  // that may displace capacity takes the timeline. (Today implied by the
  // single source; kept explicit for any future multi-source closed form.)
  if (MayDisplaceCapacity(run)) return false;
  // With p = 0 the engine multiplies g(N) and c_drop by zero; that is the
  // identity only when they are finite.
  const double g = run.modifiers.g0 * g_pow;
  return std::isfinite(g) && std::isfinite(run.modifiers.c_drop);
}

bool ClosedFormEvaluator::Applies(const Run& run) {
  return AppliesWith(run, std::pow(run.params / 1e9, -run.modifiers.eta));
}

const ClosedFormEvaluator::Terms& ClosedFormEvaluator::TermsFor(const Run& run) {
  const Law& law = run.law;
  const std::array<uint64_t, 7> key = {
      Bits(run.params), Bits(run.modifiers.eta),        Bits(law.a), Bits(law.b), Bits(law.alpha),
      Bits(law.beta),   static_cast<uint64_t>(law.form)};
  if (!terms_ || terms_->key != key) {
    Terms t;
    t.key = key;
    t.g_pow = std::pow(run.params / 1e9, -run.modifiers.eta);
    if (law.form == LawForm::kChinchilla) {
      t.params_pow = std::pow(run.params, -law.alpha);
      t.log_ratio = ComputeOptimalLogRatio(law);
    }
    terms_ = t;
  }
  return *terms_;
}

bool ClosedFormEvaluator::Accepts(const Run& run) { return AppliesWith(run, TermsFor(run).g_pow); }

Summary ClosedFormEvaluator::Evaluate(const Run& run) {
  assert(Applies(run));
  const Law& law = run.law;
  const Modifiers& m = run.modifiers;
  const DataSource& src = run.sources.front();
  // Powers of the model size, computed once per size (same values as a fresh
  // std::pow, so the same bits): the fixed-model sweep needs them at every point.
  const Terms& terms = TermsFor(run);
  const bool chinchilla = law.form == LawForm::kChinchilla;
  auto pow_params = [&](double n) {  // n^-alpha
    return n == run.params ? terms.params_pow : std::pow(n, -law.alpha);
  };
  const ChinchillaFresh fresh(law, terms.log_ratio);  // used only when chinchilla

  // Timeline's constructor (engine.cpp), one source.
  const double u_total = 0.0 + src.unique_tokens;  // UniqueTokens()
  const double g = m.g0 * terms.g_pow;
  const double m_obj = m.objective_multiplier.value_or(DefaultObjectiveMultiplier(run.objective));
  const double u = src.unique_tokens, w = src.weight, k = src.quality;
  const double s = src.weight * u_total / src.unique_tokens;
  const double fresh_end = 1.0 / s;
  const double r0 = law.rd_star * m_obj * std::pow(src.unique_tokens / 1e9, m.size_gamma);
  const double p = 0.0;  // DropoutRateAt(kNone, ·)

  // The epochs at which the marginal value falls below 1/2 and 1/10 depend on
  // s, the decay scale r0 and the weight only (g(N) and c_drop are multiplied
  // by p = 0): the engine searches for them once per distinct triple, and that
  // point is the engine's whole answer.
  if (!memo_ || memo_->s != s || memo_->r0 != r0 || memo_->weight != w) {
    Summary full = repsim::Evaluate(run);
    memo_ = Thresholds{s, r0, w, full.epochs_value_below_half, full.epochs_value_below_tenth};
    return full;
  }

  // AdvanceTo(epochs): [0, min(x, 1/s)] fresh, then [1/s, x] repeated.
  const double x = run.tokens / u_total;  // Epochs()
  double effective = 0, lambda = 0;
  double xa = 0;
  while (xa < x) {
    const double xb = fresh_end > xa && fresh_end < x ? fresh_end : x;
    const double h = xb - xa;
    const double tokens = u_total * w * h;
    if (xb <= fresh_end) {
      effective += tokens * (1.0 - m.c_drop * 0.5 * (p + p));
    } else {
      const double r = r0 * (1.0 + g * p);
      const double dl = s * h / r;
      effective +=
          u_total * w * (1.0 - m.c_drop * p) * std::exp(-lambda) * (r / s) * (-std::expm1(-dl));
      lambda += dl;
    }
    xa = xb;
  }

  // Measure().
  const double d = x * u_total;
  const double eff = 0.0 + effective;
  const double eff_law = 0.0 + k * effective;
  const double seen_law = 0.0 + k * std::min(u, w * d);
  const double kbar = 0.0 + w * k;
  // No dropout: ρ = 1 (repeated_p = 0), N' with the law's R_N*.
  const double rn_star_effective = law.rn_star;
  double effective_params = 0, loss_repeated = 0, loss_unique = 0;
  if (chinchilla) {
    // EffectiveParams(), Loss() and FreshLoss() of law.cpp / engine.cpp.
    effective_params =
        fresh.Effective(run.params, fresh.OptimalParams(seen_law), rn_star_effective);
    loss_repeated =
        law.e + law.a * pow_params(effective_params) + law.b * std::pow(eff_law, -law.beta);
    const double dd = kbar * d;
    const double ne = fresh.Effective(run.params, fresh.OptimalParams(dd));
    loss_unique = law.e + law.a * pow_params(ne) + law.b * std::pow(dd, -law.beta);
  } else {
    effective_params = EffectiveParams(law, run.params, seen_law, rn_star_effective);
    loss_repeated = Loss(law, effective_params, eff_law);
    loss_unique = FreshLoss(law, run.params, kbar * d);
  }
  // Overfitting (MODEL.md §2b), as Measure(): without dropout N' is the
  // capacity that overfits and R = w Λ R_D* the clock.
  if (law.overfit) {
    const double repetitions = (0.0 + w * lambda) * law.rd_star;
    loss_repeated = OverfitLoss(law, loss_repeated, effective_params, seen_law, repetitions);
  }

  // Evaluate().
  Summary out;
  out.params = run.params;
  out.active_params = run.active_params;
  out.tokens = run.tokens;
  out.unique_tokens = u_total;
  out.epochs = Epochs(run);  // as typed; x when derived
  out.compute = Compute(run);
  out.effective_tokens = eff;
  out.effective_fraction = eff / run.tokens;
  out.effective_params = effective_params;
  out.loss_repeated = loss_repeated;
  out.loss_unique = loss_unique;
  out.delta = loss_repeated - loss_unique;
  out.delta_pct = 100.0 * out.delta / loss_unique;
  out.dropout_data_gain = 1.0;
  out.rd_star_effective = r0;
  const double q = 1.0 - m.c_drop * p;
  const double v_last = x > fresh_end ? std::exp(-lambda) : 1.0;
  out.marginal_value_last = 0.0 + w * q * v_last;

  if (chinchilla) {
    // D_eq: N fixed, so its term is constant unless N is over-sized for kbar·x.
    const double a_term = law.a * terms.params_pow;
    const double n_term = law.e + a_term;
    // Above this log-token count the model is, with a margin (in log space)
    // that dwarfs rounding, no larger than compute-optimal: Effective()
    // returns N exactly and OptimalParams() need not be computed.
    constexpr double kMargin = internal::kOversizeMargin;
    const double y_safe =
        (law.alpha * (std::log(run.params) + kMargin) - fresh.log_ratio) / law.beta -
        std::log(kbar) + kMargin;
    out.equivalent_unique_tokens = internal::SolveDecreasingLog(
        [&](double y) {
          const double dt = kbar * std::exp(y);
          if (y > y_safe) return n_term + law.b * std::pow(dt, -law.beta);
          const double ne = fresh.Effective(run.params, fresh.OptimalParams(dt));
          const double head = ne == run.params ? n_term : law.e + law.a * std::pow(ne, -law.alpha);
          return head + law.b * std::pow(dt, -law.beta);
        },
        loss_repeated, run.tokens, loss_unique,
        internal::TokensGuess(law, a_term, run.params, loss_repeated, kbar,
                              [&](double dt) { return fresh.OptimalParams(dt); }));
    // N_eq: the tokens are fixed, so are their term and the optimal size.
    const double dt = kbar * run.tokens;
    const double d_term = law.b * std::pow(dt, -law.beta);
    const double optimal = fresh.OptimalParams(dt);
    out.equivalent_params = internal::SolveDecreasingLog(
        [&](double y) {
          const double n = std::exp(y);
          return law.e + law.a * std::pow(fresh.Effective(n, optimal), -law.alpha) + d_term;
        },
        loss_repeated, run.params, loss_unique,
        internal::ParamsGuess(law, d_term, optimal, loss_repeated));
  } else {
    out.equivalent_unique_tokens = internal::SolveDecreasingLog(
        [&](double y) { return FreshLoss(law, run.params, kbar * std::exp(y)); }, loss_repeated,
        run.tokens, loss_unique, internal::TokensGuess(law, run.params, loss_repeated, kbar));
    out.equivalent_params = internal::SolveDecreasingLog(
        [&](double y) { return FreshLoss(law, std::exp(y), kbar * run.tokens); }, loss_repeated,
        run.params, loss_unique, internal::ParamsGuess(law, kbar * run.tokens, loss_repeated));
  }
  if (out.equivalent_unique_tokens) {
    out.wasted_compute = 1.0 - *out.equivalent_unique_tokens / run.tokens;
  } else {
    out.warnings.push_back(fmt::format(
        "equivalent_unique_tokens: no token count gives loss {:.6g} on fresh data with this model",
        loss_repeated));
  }
  if (!out.equivalent_params) {
    out.warnings.push_back(
        fmt::format("equivalent_params: no model size gives loss {:.6g} on these tokens when fresh",
                    loss_repeated));
  }

  for (std::string& w : RunWarnings(run)) out.warnings.push_back(std::move(w));
  out.epochs_value_below_half = memo_->below_half;
  out.epochs_value_below_tenth = memo_->below_tenth;

  SourceSummary ss;
  ss.name = src.name;
  ss.unique_tokens = u;
  ss.weight = w;
  ss.quality = k;
  ss.tokens = w * run.tokens;
  ss.epochs = ss.tokens / u;
  ss.effective_tokens = effective;
  ss.marginal_value_last = (1.0 - m.c_drop * p) * v_last;
  out.sources.push_back(std::move(ss));
  return out;
}

// --- Evaluating one point ----------------------------------------------------

SweepEvaluator::SweepEvaluator(const RunSpec& base, std::span<const SweepAxis> axes)
    : base_(base), axes_(axes), spec_(base), coords_(axes.size()) {
  for (const SweepAxis& a : axes) {
    if (a.set) {
      setters_.push_back(a.set);
      continue;
    }
    Expected<KeySetter> set = BindNumber(base, a.key);
    if (!set) {
      bind_error_ = set.error();
      setters_.clear();
      return;
    }
    setters_.push_back(*std::move(set));
  }
}

void SweepEvaluator::Evaluate(uint64_t index, SweepPoint* out) {
  spec_ = base_;
  SweepCoordinates(axes_, index, coords_);
  if (!bind_error_.empty()) {
    out->kind = PointStatus::kInvalid;
    out->status = "invalid: " + bind_error_;
    return;
  }
  for (size_t k = 0; k < axes_.size(); ++k) {
    if (auto e = setters_[k](spec_, axes_[k].values[coords_[k]])) {
      out->kind = PointStatus::kInvalid;
      out->status = "invalid: " + *e;
      return;
    }
  }
  if (EvaluatePoint(spec_, &closed_form_, out)) {
    ++closed_form_points_;
  } else if (out->kind != PointStatus::kInvalid) {
    ++timeline_points_;
  }
}

bool EvaluatePoint(const RunSpec& spec, ClosedFormEvaluator* closed_form, SweepPoint* out) {
  Expected<Run> run = Resolve(spec);
  if (!run) {
    out->kind = PointStatus::kInvalid;
    out->status = "invalid: " + run.error();
    std::replace(out->status.begin(), out->status.end(), '\n', ' ');
    return false;
  }
  out->run = std::move(run).value();
  const bool closed = closed_form->Accepts(out->run);
  out->summary = closed ? closed_form->Evaluate(out->run) : repsim::Evaluate(out->run);
  const Summary& s = out->summary;
  if (auto bad = NonFiniteResult(s)) {
    out->kind = PointStatus::kInvalid;
    out->status = "invalid: non-finite result: " + *bad;
    return closed;
  }
  if (s.equivalent_unique_tokens && s.equivalent_params) {
    out->kind = PointStatus::kOk;
    out->status = "ok";
    return closed;
  }
  out->kind = PointStatus::kPartial;
  out->status = "partial: ";
  if (!s.equivalent_unique_tokens) out->status += "equivalent_unique_tokens";
  if (!s.equivalent_unique_tokens && !s.equivalent_params) out->status += " and ";
  if (!s.equivalent_params) out->status += "equivalent_params";
  out->status += " not found";
  return closed;
}

}  // namespace repsim
