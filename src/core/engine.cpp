// The novelty-budget timeline (MODEL.md §3) and the quantities of §5.
//
// Position along the run is x = tokens seen / Σ U_i ("global epochs"). Source
// i contributes w_i of every token, so its own epochs are τ_i = s_i x with
// s_i = w_i U / U_i; it is fresh for x < 1/s_i and repeated after. The run is
// cut at every point where the dropout schedule switches or a source starts
// repeating; on each interval p(x) is linear (often constant), and
//   dD'_i/dx = U w_i q(x) exp(-Λ_i(x)),   dΛ_i/dx = s_i / R_i(x)  (repeated),
// with q = 1 - c_drop p and R_i = R_D* m_obj m_size(U_i) (1 + g(N) p).
// Λ has a closed form on every interval; D' has one where p is constant, and
// is integrated by adaptive Gauss-Kronrod where p ramps. Measure() then takes
// the share of N' displaced by memorising repeated sources (displacement.h)
// from the Λ_i reached.

#include "repsim/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

#include "core/law_formulas.h"
#include "core/solve.h"
#include "repsim/displacement.h"

namespace repsim {

namespace {

struct SourceContext {
  double u;          // U_i
  double w;          // w_i
  double k;          // quality
  double s;          // τ_i = s x
  double fresh_end;  // x where source starts repeating: 1 / s
  double r0;         // R_D* m_obj m_size(U_i), epochs of the source
};

struct SourceState {
  double effective = 0;   // D'_i so far, tokens
  double lambda = 0;      // Λ_i: -log of the value of the next repeated token
  double repeated_p = 0;  // ∫ p over repeated tokens
};

class Timeline {
 public:
  explicit Timeline(const Run& run) : run_(run) {
    u_total_ = UniqueTokens(run);
    const Modifiers& m = run.modifiers;
    g_ = m.g0 * std::pow(run.params / 1e9, -m.eta);
    const double m_obj = m.objective_multiplier.value_or(DefaultObjectiveMultiplier(run.objective));
    for (const DataSource& src : run.sources) {
      SourceContext c;
      c.u = src.unique_tokens;
      c.w = src.weight;
      c.k = src.quality;
      c.s = src.weight * u_total_ / src.unique_tokens;
      c.fresh_end = 1.0 / c.s;
      c.r0 = run.law.rd_star * m_obj * std::pow(src.unique_tokens / 1e9, m.size_gamma);
      ctx_.push_back(c);
      knots_.push_back(c.fresh_end);
    }
    const Dropout& d = run.dropout;
    switch (d.schedule) {
      case DropoutSchedule::kStep:
        knots_.push_back(d.start_epoch);
        break;
      case DropoutSchedule::kEarly:
        knots_.push_back(d.end_epoch);
        break;
      case DropoutSchedule::kLinear:
        knots_.push_back(d.start_epoch);
        knots_.push_back(d.end_epoch);
        break;
      default:
        break;
    }
    std::sort(knots_.begin(), knots_.end());
    knots_.erase(std::unique(knots_.begin(), knots_.end()), knots_.end());
    state_.resize(ctx_.size());
  }

  double x() const { return x_; }
  double unique_total() const { return u_total_; }
  double g() const { return g_; }
  const std::vector<SourceContext>& contexts() const { return ctx_; }
  const std::vector<SourceState>& states() const { return state_; }
  const std::vector<double>& knots() const { return knots_; }

  // Rate on the interval just before x (left limit) or just after (right).
  double RateLeft(double x) const {
    const Dropout& d = run_.dropout;
    if (d.schedule == DropoutSchedule::kStep) return x > d.start_epoch ? d.rate : 0.0;
    if (d.schedule == DropoutSchedule::kEarly) return x <= d.end_epoch ? d.rate : 0.0;
    return DropoutRateAt(d, x);
  }
  double RateRight(double x) const { return DropoutRateAt(run_.dropout, x); }

  // Advance every source from x() to x >= x().
  void AdvanceTo(double x) {
    while (x_ < x) {
      double next = x;
      auto it = std::upper_bound(knots_.begin(), knots_.end(), x_);
      if (it != knots_.end() && *it < next) next = *it;
      AdvanceInterval(x_, next);
      x_ = next;
    }
  }

  // Λ_i gained from xa to x on one interval whose rate starts at p0 with slope.
  double LambdaGain(const SourceContext& c, double p0, double slope, double h) const {
    const double gs = g_ * slope;
    if (gs == 0.0) return c.s * h / (c.r0 * (1.0 + g_ * p0));
    return c.s / (c.r0 * gs) * std::log1p(gs * h / (1.0 + g_ * p0));
  }

  // dD'/dD at the current position, from the rate given (left or right limit).
  double MarginalValue(double p) const {
    const double q = 1.0 - run_.modifiers.c_drop * p;
    double m = 0;
    for (size_t i = 0; i < ctx_.size(); ++i) {
      const double v = x_ > ctx_[i].fresh_end ? std::exp(-state_[i].lambda) : 1.0;
      m += ctx_[i].w * q * v;
    }
    return m;
  }

  // dD'/dD at x in [x(), next knot], from the state at x().
  double MarginalValueAhead(double x) const {
    const double p0 = RateRight(x_);
    const double p = x > x_ ? RateLeft(x) : p0;
    const double slope = x > x_ ? (p - p0) / (x - x_) : 0.0;
    const double q = 1.0 - run_.modifiers.c_drop * p;
    double m = 0;
    for (size_t i = 0; i < ctx_.size(); ++i) {
      const SourceContext& c = ctx_[i];
      double v = 1.0;
      if (x > c.fresh_end) {
        v = std::exp(-(state_[i].lambda + LambdaGain(c, p0, slope, x - std::max(x_, c.fresh_end))));
      }
      m += c.w * q * v;
    }
    return m;
  }

 private:
  void AdvanceInterval(double xa, double xb) {
    const double h = xb - xa;
    const double p0 = RateRight(xa);
    const double p1 = RateLeft(xb);
    const double slope = (p1 - p0) / h;
    const double c_drop = run_.modifiers.c_drop;
    for (size_t i = 0; i < ctx_.size(); ++i) {
      const SourceContext& c = ctx_[i];
      SourceState& st = state_[i];
      const double tokens = u_total_ * c.w * h;
      if (xb <= c.fresh_end) {  // fresh: every token counts, less dropout's cost
        st.effective += tokens * (1.0 - c_drop * 0.5 * (p0 + p1));
        continue;
      }
      st.repeated_p += tokens * 0.5 * (p0 + p1);
      if (p0 == p1) {  // closed form: ∫ q e^{-Λ} with Λ linear in x
        const double r = c.r0 * (1.0 + g_ * p0);
        const double dl = c.s * h / r;
        st.effective += u_total_ * c.w * (1.0 - c_drop * p0) * std::exp(-st.lambda) * (r / c.s) *
                        (-std::expm1(-dl));
        st.lambda += dl;
      } else {
        const double lambda0 = st.lambda;
        auto f = [&](double t) {
          const double p = p0 + slope * t;
          return (1.0 - c_drop * p) * std::exp(-(lambda0 + LambdaGain(c, p0, slope, t)));
        };
        double err = 0;
        const double integral = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
            f, 0.0, h, kIntegrateMaxDepth, kIntegrateRelTol, &err);
        st.effective += u_total_ * c.w * integral;
        st.lambda += LambdaGain(c, p0, slope, h);
      }
    }
  }

  const Run& run_;
  double u_total_ = 0;
  double g_ = 0;
  double x_ = 0;
  std::vector<SourceContext> ctx_;
  std::vector<SourceState> state_;
  std::vector<double> knots_;
};

// The first x >= 0 where dD'/dD < threshold (right-continuous rate), or
// nothing if that is beyond 1e12 epochs.
std::optional<double> EpochsValueBelow(const Run& run, double threshold) {
  Timeline t(run);
  constexpr double kMaxEpochs = 1e12;
  std::vector<double> knots = t.knots();
  while (true) {
    const double xa = t.x();
    // Not a number (a value of NaN never falls below): no answer, not a hang.
    if (!(xa <= kMaxEpochs)) return std::nullopt;
    if (t.MarginalValueAhead(xa) < threshold) return xa;
    auto it = std::upper_bound(knots.begin(), knots.end(), xa);
    double xb;
    if (it != knots.end()) {
      xb = *it;
    } else {  // last interval: grow until the value has fallen below
      xb = std::max(2.0 * xa, xa + 1.0);
      while (t.MarginalValueAhead(xb) >= threshold) {
        if (xb > kMaxEpochs) return std::nullopt;
        xb *= 2.0;
      }
    }
    if (t.MarginalValueAhead(xb) < threshold) {
      auto f = [&](double x) { return t.MarginalValueAhead(x) - threshold; };
      boost::uintmax_t iters = 200;
      auto tol = [](double a, double b) { return std::fabs(b - a) <= 1e-13 * std::max(1.0, b); };
      auto r = boost::math::tools::toms748_solve(f, xa, xb, tol, iters);
      return r.second;
    }
    t.AdvanceTo(xb);
  }
}

struct Snapshot {
  double tokens, epochs, effective_tokens, effective_params, capacity_lost;
  double loss_repeated, loss_unique, dropout_data_gain;
  double quality_mean;  // Σ w_i k_i: the law sees this × fresh tokens
};

// The run as if it stopped at the timeline's position, `d` tokens in.
Snapshot Measure(const Run& run, const Timeline& t, double d) {
  Snapshot s{};
  s.tokens = d;
  s.epochs = t.x();
  double eff = 0, eff_law = 0, eff_law_plain = 0, seen_law = 0, rep_p = 0, kbar = 0;
  for (size_t i = 0; i < t.contexts().size(); ++i) {
    const SourceContext& c = t.contexts()[i];
    const SourceState& st = t.states()[i];
    // D'_i <= w_i D holds exactly (dD'/dD = q v <= 1); the guard only removes
    // the last-bit excess that summing intervals in floating point can leave.
    const double eff_i = std::min(st.effective, c.w * d);
    eff += eff_i;
    eff_law += c.k * eff_i;
    // D'_i without dropout (q = 1, R = r0): §2's closed form on the source's epochs.
    eff_law_plain += c.k * EffectiveTokensClosedForm(c.w * d, c.u, c.r0);
    seen_law += c.k * std::min(c.u, c.w * d);
    rep_p += st.repeated_p;
    kbar += c.w * c.k;
  }
  s.quality_mean = kbar;
  s.effective_tokens = std::min(eff, d);  // the same guard for the sum
  // Dropout's relief of excess parameters (MODEL.md §3): the data is worth
  // ρ = D'/D'₀ times what it is worth without dropout, and the model size it
  // supports is that of ρ times the unique tokens, U_N = min(N, N_opt(ρ U)).
  // ρ U and D' never fall when U grows at fixed D, so neither does N', and
  // more unique tokens never raise the loss. ρ = 1 exactly when no repeated
  // token saw dropout (D' <= D'₀ then, and the closed form and the timeline
  // may differ in the last bit) and never below 1 (dropout's cost is q).
  s.dropout_data_gain = rep_p > 0 && eff_law > eff_law_plain ? eff_law / eff_law_plain : 1.0;
  const double plain_params = EffectiveParams(run.law, run.params, seen_law, run.law.rn_star);
  s.effective_params =
      s.dropout_data_gain == 1.0
          ? plain_params
          : EffectiveParams(run.law, run.params, seen_law * s.dropout_data_gain, run.law.rn_star);
  // The capacity that overfits (MODEL.md §2b) is N' without dropout's relief
  // (dropout slows overfitting through the clock R only: the capacity it
  // keeps useful learns, it does not memorise more) and before displacement
  // (§3b: displaced capacity is memorising the repeated slice, not idle).
  const double overfitting_params = plain_params;
  s.capacity_lost = 0;
  if (MayDisplaceCapacity(run)) {  // MODEL.md §3b: exactly N' when no source is repeated
    std::vector<SlicePosition> slices;
    slices.reserve(t.contexts().size());
    for (size_t i = 0; i < t.contexts().size(); ++i) {
      const SourceContext& c = t.contexts()[i];
      slices.push_back(SlicePosition{c.u, c.w, t.states()[i].lambda});
    }
    s.capacity_lost = CapacityLost(run.params, slices, run.modifiers.displacement,
                                   run.modifiers.memorization_capacity);
    if (s.capacity_lost > 0) s.effective_params *= 1.0 - s.capacity_lost;
  }
  // Overfitting (MODEL.md §2b) runs on the same clock as the value decay:
  // R = Λ R_D*, repetitions stretched by dropout, objective and size exactly
  // as the decay is (with none of them, R = epochs - 1). A mixture averages
  // its sources' clocks by their weights.
  double repetitions = 0;
  for (size_t i = 0; i < t.contexts().size(); ++i) {
    repetitions += t.contexts()[i].w * t.states()[i].lambda;
  }
  repetitions *= run.law.rd_star;
  s.loss_repeated = OverfitLoss(run.law, Loss(run.law, s.effective_params, eff_law),
                                overfitting_params, seen_law, repetitions);
  s.loss_unique = FreshLoss(run.law, run.params, kbar * d);
  return s;
}

}  // namespace

Summary Evaluate(const Run& run) {
  Timeline t(run);
  t.AdvanceTo(TokenEpochs(run));
  const Snapshot s = Measure(run, t, run.tokens);

  Summary out;
  out.params = run.params;
  out.active_params = run.active_params;
  out.tokens = run.tokens;
  out.unique_tokens = t.unique_total();
  out.epochs = Epochs(run);
  out.compute = Compute(run);
  out.effective_tokens = s.effective_tokens;
  out.effective_fraction = s.effective_tokens / run.tokens;
  out.effective_params = s.effective_params;
  out.capacity_lost = s.capacity_lost;
  out.loss_repeated = s.loss_repeated;
  out.loss_unique = s.loss_unique;
  out.delta = s.loss_repeated - s.loss_unique;
  out.delta_pct = 100.0 * out.delta / s.loss_unique;
  out.dropout_data_gain = s.dropout_data_gain;
  out.rd_star_effective = t.contexts().front().r0;
  out.marginal_value_last = t.MarginalValue(t.RateLeft(t.x()));

  const Law& law = run.law;
  const double kbar = s.quality_mean;
  out.equivalent_unique_tokens = internal::SolveDecreasingLog(
      [&](double y) { return FreshLoss(law, run.params, kbar * std::exp(y)); }, s.loss_repeated,
      run.tokens, s.loss_unique, internal::TokensGuess(law, run.params, s.loss_repeated, kbar));
  if (out.equivalent_unique_tokens) {
    out.wasted_compute = 1.0 - *out.equivalent_unique_tokens / run.tokens;
  } else {
    out.warnings.push_back(fmt::format(
        "equivalent_unique_tokens: no token count gives loss {:.6g} on fresh data with this model",
        s.loss_repeated));
  }
  out.equivalent_params = internal::SolveDecreasingLog(
      [&](double y) { return FreshLoss(law, std::exp(y), kbar * run.tokens); }, s.loss_repeated,
      run.params, s.loss_unique, internal::ParamsGuess(law, kbar * run.tokens, s.loss_repeated));
  if (!out.equivalent_params) {
    out.warnings.push_back(
        fmt::format("equivalent_params: no model size gives loss {:.6g} on these tokens when fresh",
                    s.loss_repeated));
  }
  for (std::string& w : RunWarnings(run)) out.warnings.push_back(std::move(w));
  out.epochs_value_below_half = EpochsValueBelow(run, 0.5);
  out.epochs_value_below_tenth = EpochsValueBelow(run, 0.1);

  for (size_t i = 0; i < t.contexts().size(); ++i) {
    const SourceContext& c = t.contexts()[i];
    const SourceState& st = t.states()[i];
    SourceSummary ss;
    ss.name = run.sources[i].name;
    ss.unique_tokens = c.u;
    ss.weight = c.w;
    ss.quality = c.k;
    ss.tokens = c.w * run.tokens;
    ss.epochs = ss.tokens / c.u;
    ss.effective_tokens = std::min(st.effective, ss.tokens);  // rounding guard, as in Measure
    const double q = 1.0 - run.modifiers.c_drop * t.RateLeft(t.x());
    ss.marginal_value_last = q * (t.x() > c.fresh_end ? std::exp(-st.lambda) : 1.0);
    out.sources.push_back(ss);
  }
  return out;
}

std::optional<std::string> NonFiniteResult(const Summary& s) {
  const std::pair<std::string_view, double> numbers[] = {
      {"params", s.params},
      {"active_params", s.active_params},
      {"tokens", s.tokens},
      {"unique_tokens", s.unique_tokens},
      {"epochs", s.epochs},
      {"compute", s.compute},
      {"effective_tokens", s.effective_tokens},
      {"effective_fraction", s.effective_fraction},
      {"effective_params", s.effective_params},
      {"capacity_lost", s.capacity_lost},
      {"loss_repeated", s.loss_repeated},
      {"loss_unique", s.loss_unique},
      {"delta", s.delta},
      {"delta_pct", s.delta_pct},
      {"equivalent_unique_tokens", s.equivalent_unique_tokens.value_or(0)},
      {"wasted_compute", s.wasted_compute.value_or(0)},
      {"equivalent_params", s.equivalent_params.value_or(0)},
      {"marginal_value_last", s.marginal_value_last},
      {"epochs_value_below_half", s.epochs_value_below_half.value_or(0)},
      {"epochs_value_below_tenth", s.epochs_value_below_tenth.value_or(0)},
      {"rd_star_effective", s.rd_star_effective},
      {"dropout_data_gain", s.dropout_data_gain},
  };
  for (const auto& [name, v] : numbers) {
    if (!std::isfinite(v)) return fmt::format("{} = {}", name, v);
  }
  for (const SourceSummary& ss : s.sources) {
    for (double v : {ss.tokens, ss.epochs, ss.effective_tokens, ss.marginal_value_last}) {
      if (!std::isfinite(v)) return fmt::format("source '{}': {}", ss.name, v);
    }
  }
  return std::nullopt;
}

std::vector<TrajectoryPoint> EvaluateTrajectory(const Run& run, int points) {
  assert(points >= 2);
  const double u = UniqueTokens(run);
  const double end = TokenEpochs(run);
  const double start = std::min(end, 1.0) / 100.0;
  Timeline t(run);
  std::vector<TrajectoryPoint> out;
  out.reserve(points);
  for (int i = 0; i < points; ++i) {
    // Log-spaced in tokens; the last point is exactly the run's end.
    const double x = i == points - 1
                         ? end
                         : start * std::pow(end / start, static_cast<double>(i) / (points - 1));
    t.AdvanceTo(x);
    TrajectoryPoint p;
    p.tokens = i == points - 1 ? run.tokens : x * u;
    const Snapshot s = Measure(run, t, p.tokens);
    p.epochs = i == points - 1 ? Epochs(run) : x;  // the end as typed
    p.effective_tokens = s.effective_tokens;
    p.effective_params = s.effective_params;
    p.capacity_lost = s.capacity_lost;
    p.loss_repeated = s.loss_repeated;
    p.loss_unique = s.loss_unique;
    p.delta = s.loss_repeated - s.loss_unique;
    p.dropout_rate = t.RateLeft(x);
    p.marginal_value = t.MarginalValue(p.dropout_rate);
    p.extrapolation =
        Extrapolation(FittedDomain(run.law.preset), run.params, p.tokens, UniqueTokens(run));
    out.push_back(p);
  }
  return out;
}

}  // namespace repsim
