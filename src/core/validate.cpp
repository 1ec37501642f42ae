// Penalty pairs, the overfit form's fit on them, and grouped cross-validation
// (include/repsim/validate.h, MODEL.md §2b).
#include "repsim/validate.h"

#include <ceres/autodiff_first_order_function.h>
#include <ceres/gradient_problem.h>
#include <ceres/gradient_problem_solver.h>
#include <ceres/jet.h>
#include <ceres/manifold.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <tuple>

#include "core/jet.h"
#include "core/law_formulas.h"
#include "core/multistart.h"
#include "repsim/engine.h"

namespace repsim {
namespace {

constexpr std::array<std::string_view, kNumOverfitParams> kOverfitParamNames = {
    "rd_star", "rn_star", "overfit_w", "overfit_a", "overfit_c", "overfit_k"};
constexpr std::array<std::string_view, 3> kFormNames = {"data-constrained", "overfit", "ratio"};

// --- Pairs ----------------------------------------------------------------------

using Key = std::tuple<std::vector<std::string>, double, double>;  // group, N, D

struct Mean {
  double sum = 0;
  int n = 0;
  void Add(double v) {
    sum += v;
    ++n;
  }
  double Value() const { return sum / n; }
};

}  // namespace

std::vector<PenaltyPair> FormPairs(std::span<const MeasuredRun> runs) {
  // Key -> unique_tokens -> seed-averaged loss, for repeated and fresh runs.
  std::map<Key, std::map<double, Mean>> repeated, fresh;
  for (const MeasuredRun& r : runs) {
    const Key key{r.group, r.params, r.tokens};
    auto& side = r.unique_tokens >= r.tokens ? fresh : repeated;
    side[key][r.unique_tokens].Add(r.loss);
  }
  std::vector<PenaltyPair> out;
  for (const auto& [key, by_u] : repeated) {
    auto f = fresh.find(key);
    if (f == fresh.end()) continue;
    double fresh_sum = 0;
    int fresh_runs = 0;
    for (const auto& [u, m] : f->second) {
      fresh_sum += m.Value();
      fresh_runs += m.n;
    }
    const double loss_fresh = fresh_sum / static_cast<double>(f->second.size());
    for (const auto& [u, m] : by_u) {
      PenaltyPair p;
      p.group = std::get<0>(key);
      p.params = std::get<1>(key);
      p.tokens = std::get<2>(key);
      p.unique_tokens = u;
      p.loss_repeated = m.Value();
      p.loss_fresh = loss_fresh;
      p.repeated_runs = m.n;
      p.fresh_runs = fresh_runs;
      out.push_back(std::move(p));
    }
  }
  return out;
}

double PredictedPenaltyPct(const Law& law, const PenaltyPair& pair) {
  const double rep = DataConstrainedLoss(law, pair.params, pair.tokens, pair.unique_tokens);
  const double fresh = FreshLoss(law, pair.params, pair.tokens);
  return 100.0 * (rep / fresh - 1.0);
}

std::span<const std::string_view> OverfitParamNames() { return kOverfitParamNames; }
std::span<const std::string_view> ValidateFormNames() { return kFormNames; }

// --- The overfit form's objective -------------------------------------------------

namespace {

using detail::AllFinite;
using detail::Huber;
using detail::Value;

struct PairData {
  std::vector<double> n, d, u, target;
  size_t size() const { return n.size(); }
};

PairData Prepare(std::span<const PenaltyPair> pairs) {
  PairData d;
  for (const PenaltyPair& p : pairs) {
    d.n.push_back(p.params);
    d.d.push_back(p.tokens);
    d.u.push_back(p.unique_tokens);
    d.target.push_back(std::log(p.loss_repeated / p.loss_fresh));
  }
  return d;
}

struct Base {
  double e, a, b, alpha, beta, ln_g, cap, delta;
};

// Σ Huber_δ(log L̂_rep/L̂_fresh − log L_rep/L_fresh) over the pairs, the law
// in `l` (core/law_formulas.h, as every evaluation of the law).
template <typename T>
T PairCost(const PairData& d, const formulas::LawTerms<T>& l, double delta) {
  using std::log;
  T sum(0.0);
  for (size_t i = 0; i < d.size(); ++i) {
    const T fresh = formulas::RepeatedLoss(l, d.n[i], d.d[i], d.d[i]);
    const T rep = formulas::RepeatedLoss(l, d.n[i], d.d[i], d.u[i]);
    sum += Huber(T(log(rep) - log(fresh) - d.target[i]), delta);
  }
  return sum;
}

// p = (log R_D*, log R_N*, w, a, c, log k); E..beta and the cap from `base`.
template <typename T>
bool Objective(const PairData& d, const Base& base, const T* p, T* cost) {
  using std::exp;
  formulas::LawTerms<T> l{T(base.e), T(base.a), T(base.b), T(base.alpha), T(base.beta), exp(p[0]),
                          exp(p[1]), true,      p[2],      p[3],          p[4],         exp(p[5]),
                          base.cap,  T(0.0),    T(0.0),    T(0.0),        T(0.0),       T(0.0)};
  *cost = PairCost(d, l, base.delta);
  return AllFinite(*cost);
}

struct Functor {
  const PairData* data;
  const Base* base;
  template <typename T>
  bool operator()(const T* x, T* cost) const {
    return Objective(*data, *base, x, cost);
  }
};

using Vec = std::array<double, kNumOverfitParams>;

double EvaluateAt(const PairData& d, const Base& base, const Vec& x) {
  double cost = 0;
  if (!Objective(d, base, x.data(), &cost)) return std::numeric_limits<double>::infinity();
  return cost;
}

struct Local {
  Vec x{};
  double objective = std::numeric_limits<double>::infinity();
};

Local Minimize(const PairData& d, const Base& base, const Vec& start,
               const std::array<bool, kNumOverfitParams>& held) {
  Local out;
  if (!std::isfinite(EvaluateAt(d, base, start))) return out;
  std::vector<int> constant;
  for (int i = 0; i < kNumOverfitParams; ++i) {
    if (held[i]) constant.push_back(i);
  }
  if (constant.size() == kNumOverfitParams) {
    out.x = start;
    out.objective = EvaluateAt(d, base, start);
    return out;
  }
  double x[kNumOverfitParams];
  std::copy(start.begin(), start.end(), x);
  auto* function =
      new ceres::AutoDiffFirstOrderFunction<Functor, kNumOverfitParams>(new Functor{&d, &base});
  std::optional<ceres::GradientProblem> problem;
  if (constant.empty()) {
    problem.emplace(function);
  } else {
    problem.emplace(function, new ceres::SubsetManifold(kNumOverfitParams, constant));
  }
  ceres::GradientProblemSolver::Options o = detail::LbfgsOptions(2000, 1e-12, 1e-11, 1e-12);
  o.update_state_every_iteration = true;
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(o, *problem, x, &summary);
  std::copy(x, x + kNumOverfitParams, out.x.begin());
  out.objective = EvaluateAt(d, base, out.x);
  return out;
}

// Starts: R_D* in {15, 50}, R_N* in {5, 50}, w in {-10, -6}, a in {1, 3},
// c in {1, 3}, k in {1, 2}: 64 points around Muennighoff's decay constants
// and the exponents the 86 pairs suggest (MODEL.md §2b).
std::vector<Vec> StartGrid() {
  std::vector<Vec> out;
  for (double rd : {15.0, 50.0})
    for (double rn : {5.0, 50.0})
      for (double w : {-10.0, -6.0})
        for (double a : {1.0, 3.0})
          for (double c : {1.0, 3.0})
            for (double k : {1.0, 2.0})
              out.push_back({std::log(rd), std::log(rn), w, a, c, std::log(k)});
  return out;
}

Base MakeBase(const OverfitFitOptions& o) {
  const Law& l = o.base;
  return Base{l.e,
              l.a,
              l.b,
              l.alpha,
              l.beta,
              ComputeOptimalLogRatio(l),
              l.loss_cap > 0 ? l.loss_cap : MakeLaw(LawPreset::kOverfit2026).loss_cap,
              o.huber_delta};
}

Law ToLaw(const OverfitFitOptions& o, const Base& base, const Vec& x) {
  Law law = o.base;
  law.rd_star = std::exp(x[0]);
  law.rn_star = std::exp(x[1]);
  law.overfit = true;
  law.overfit_w = x[2];
  law.overfit_a = x[3];
  law.overfit_c = x[4];
  law.overfit_k = std::exp(x[5]);
  law.loss_cap = base.cap;
  return law;
}

MaybeError CheckPairs(std::span<const PenaltyPair> pairs, size_t needed) {
  if (pairs.size() < needed) {
    return fmt::format(
        "{} repeated-vs-fresh pairs: at least {} needed to fit {} constants of the overfit "
        "form (a pair is a repeated run and a fresh run at the same params and tokens)",
        pairs.size(), needed, needed);
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    const PenaltyPair& p = pairs[i];
    for (double v : {p.params, p.tokens, p.unique_tokens, p.loss_repeated, p.loss_fresh}) {
      if (!std::isfinite(v) || !(v > 0)) return fmt::format("pair {}: a field is not > 0", i + 1);
    }
    if (!(p.unique_tokens < p.tokens)) {
      return fmt::format("pair {}: unique_tokens must be < tokens", i + 1);
    }
  }
  return std::nullopt;
}

Expected<OverfitFit> FitFrom(const PairData& d, const OverfitFitOptions& options,
                             const std::vector<Vec>& starts) {
  const Base base = MakeBase(options);
  const std::vector<Local> results = detail::MinimiseAll(
      starts, options.threads, [&](const Vec& s) { return Minimize(d, base, s, options.held); });
  auto objective = [](const Local& r) { return r.objective; };
  const std::optional<size_t> best = detail::BestIndex(
      results, objective, [&](const Local& r) { return !Validate(ToLaw(options, base, r.x)); });
  if (!best) {
    return Error{fmt::format(
        "overfit form: none of {} starts ended at constants the law accepts (overfit_a <= "
        "overfit_c + overfit_k, exponents <= 20) with a finite objective on these {} pairs",
        starts.size(), d.size())};
  }
  OverfitFit out;
  out.law = ToLaw(options, base, results[*best].x);
  out.objective = results[*best].objective;
  out.pairs = static_cast<int>(d.size());
  out.starts = static_cast<int>(starts.size());
  out.held = options.held;
  out.converged_to_best = detail::CountWithin(results, objective, out.objective, kSameOptimumTol);
  return out;
}

Vec ToVec(const Law& law) {
  return {std::log(law.rd_star), std::log(law.rn_star), law.overfit_w,
          law.overfit_a,         law.overfit_c,         std::log(law.overfit_k)};
}

int Free(const std::array<bool, kNumOverfitParams>& held) {
  return static_cast<int>(std::count(held.begin(), held.end(), false));
}

// The start grid with held constants at the base's values, duplicates removed.
std::vector<Vec> StartsFor(const OverfitFitOptions& options) {
  std::vector<Vec> starts = StartGrid();
  if (Free(options.held) == kNumOverfitParams) return starts;
  const Vec base = ToVec(options.base);
  std::vector<Vec> out;
  for (Vec v : starts) {
    for (int i = 0; i < kNumOverfitParams; ++i) {
      if (options.held[i]) v[i] = base[i];
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

}  // namespace

int OverfitIdentifiable::Free() const { return repsim::Free(held); }

OverfitIdentifiable IdentifiableOverfitParams(std::span<const PenaltyPair> pairs) {
  OverfitIdentifiable out;
  auto distinct = [&](auto value) {
    std::vector<double> v;
    for (const PenaltyPair& p : pairs) v.push_back(value(p));
    std::sort(v.begin(), v.end());
    return static_cast<int>(std::unique(v.begin(), v.end()) - v.begin());
  };
  enum { kRd = 0, kRn = 1, kW = 2, kA = 3, kC = 4, kK = 5 };
  if (distinct([](const PenaltyPair& p) { return p.params; }) < 2) {
    out.held[kA] = true;
    out.reasons.push_back("one params value: overfit_a held");
  }
  if (distinct([](const PenaltyPair& p) { return p.unique_tokens; }) < 2) {
    out.held[kC] = true;
    out.reasons.push_back("one unique_tokens value: overfit_c held");
  }
  const int epochs = distinct([](const PenaltyPair& p) { return p.epochs(); });
  if (epochs < 3) {
    out.held[kK] = true;
    if (epochs < 2) out.held[kRd] = true;
    out.reasons.push_back(fmt::format("{} epochs value{}: overfit_k{} held", epochs,
                                      epochs == 1 ? "" : "s", epochs < 2 ? " and rd_star" : ""));
  }
  std::vector<std::string_view> more;
  for (int i : {kRn, kC, kA, kK, kRd}) {
    if (out.Free() <= static_cast<int>(pairs.size())) break;
    if (!out.held[i]) {
      out.held[i] = true;
      more.push_back(kOverfitParamNames[i]);
    }
  }
  if (!more.empty()) {
    out.reasons.push_back(fmt::format("{} pairs: {} held", pairs.size(), fmt::join(more, ", ")));
  }
  return out;
}

std::vector<std::string> ImplausibleOverfitConstants(const Law& law) {
  std::vector<std::string> out;
  for (auto [name, v] :
       {std::pair{"overfit_a", law.overfit_a}, std::pair{"overfit_c", law.overfit_c},
        std::pair{"overfit_k", law.overfit_k}}) {
    if (v > kImplausibleOverfitExponent) {
      out.push_back(fmt::format("{} = {:.4g}: an exponent above {:g}, not pinned by the data", name,
                                v, kImplausibleOverfitExponent));
    }
  }
  for (auto [name, v] : {std::pair{"rd_star", law.rd_star}, std::pair{"rn_star", law.rn_star}}) {
    if (v > kRunawayDecayScale) {
      out.push_back(fmt::format("{} = {:.4g}: above {:g}, the data cannot tell it from infinity",
                                name, v, kRunawayDecayScale));
    }
  }
  if (std::fabs(law.overfit_w) > 99) {
    out.push_back(fmt::format("overfit_w = {:.4g}: at its bound (±100)", law.overfit_w));
  }
  return out;
}

namespace {

MaybeError CheckHeldBase(const OverfitFitOptions& options) {
  if (Free(options.held) < kNumOverfitParams && !options.base.overfit) {
    return std::string(
        "overfit form: constants held at the base law need a base with the "
        "overfitting term");
  }
  return std::nullopt;
}

}  // namespace

Expected<OverfitFit> FitOverfitForm(std::span<const PenaltyPair> pairs,
                                    const OverfitFitOptions& options) {
  if (auto err = CheckHeldBase(options)) return Error{*err};
  if (auto err = CheckPairs(pairs, std::max(1, Free(options.held)))) {
    return Error{*err, std::string(kDataErrorKey)};
  }
  const PairData d = Prepare(pairs);
  return FitFrom(d, options, StartsFor(options));
}

Expected<OverfitFit> FitOverfitIdentifiable(std::span<const PenaltyPair> pairs,
                                            const OverfitFitOptions& options,
                                            std::vector<std::string>* reasons) {
  OverfitFitOptions o = options;
  const OverfitIdentifiable id = IdentifiableOverfitParams(pairs);
  for (int i = 0; i < kNumOverfitParams; ++i) o.held[i] = o.held[i] || id.held[i];
  reasons->insert(reasons->end(), id.reasons.begin(), id.reasons.end());
  Expected<OverfitFit> f = FitOverfitForm(pairs, o);
  struct Step {
    std::vector<int> hold;
    const char* why;
  };
  for (const Step& step :
       {Step{{3, 4, 5},
             "no valid optimum with the exponents free: overfit_a, overfit_c, "
             "overfit_k held"},
        Step{{2},
             "no valid optimum with the scale free (the pairs show no overfitting the term "
             "could fit): overfit_w held"},
        Step{{0, 1}, "no valid optimum with the decay scales free: rd_star, rn_star held"}}) {
    if (f || !f.error_key().empty()) break;
    bool more = false;
    for (int i : step.hold) {
      if (!o.held[i]) more = true;
      o.held[i] = true;
    }
    if (!more) continue;
    reasons->push_back(step.why);
    f = FitOverfitForm(pairs, o);
  }
  return f;
}

Expected<std::vector<Law>> BootstrapOverfitForm(std::span<const PenaltyPair> pairs,
                                                const OverfitFitOptions& options,
                                                const OverfitFit& full, int resamples,
                                                uint64_t seed) {
  if (auto err = CheckHeldBase(options)) return Error{*err};
  if (auto err = CheckPairs(pairs, std::max(1, Free(options.held)))) {
    return Error{*err, std::string(kDataErrorKey)};
  }
  OverfitFitOptions one = options;
  one.threads = 1;
  return detail::RunBootstrap(pairs, resamples, seed, options.threads,
                              [&](const std::vector<PenaltyPair>& sample) -> std::optional<Law> {
                                const PairData d = Prepare(sample);
                                // From the full optimum and from Muennighoff's decay constants with
                                // the optimum's exponents: two starts, so that one bad basin does
                                // not decide.
                                Vec alt = ToVec(full.law);
                                if (!options.held[0]) alt[0] = std::log(15.0);
                                if (!options.held[1]) alt[1] = std::log(5.0);
                                Expected<OverfitFit> f = FitFrom(d, one, {ToVec(full.law), alt});
                                if (!f) return std::nullopt;
                                return f->law;
                              })
      .fits;
}

// --- The ratio form (ratio2026, MODEL.md §2b) ------------------------------------

namespace {

constexpr std::array<std::string_view, kNumRatioParams> kRatioParamNames = {
    "rd_star", "rn_star", "overfit_w", "overfit_a",  "overfit_k",  "overfit_height", "E",
    "A",       "B",       "alpha",     "overfit_w2", "overfit_a2", "overfit_k2"};

struct RunData {
  std::vector<double> n, d, u, ln_loss;
  size_t size() const { return n.size(); }
};

// One measurement per (group, N, D, U): the mean loss over its seed repeats,
// as the pairs average them (FormPairs).
RunData Measurements(std::span<const MeasuredRun> runs) {
  std::map<std::tuple<std::vector<std::string>, double, double, double>, Mean> by;
  for (const MeasuredRun& r : runs) by[{r.group, r.params, r.tokens, r.unique_tokens}].Add(r.loss);
  RunData out;
  for (const auto& [key, m] : by) {
    out.n.push_back(std::get<1>(key));
    out.d.push_back(std::get<2>(key));
    out.u.push_back(std::get<3>(key));
    out.ln_loss.push_back(std::log(m.Value()));
  }
  return out;
}

struct RatioData {
  RunData runs;
  PairData pairs;
  RatioFitOptions options;
};

// x = (log R_D*, log R_N*, w, a, log(k - 1), log H, log E, log A, log B, alpha,
//      w2, a2, log k2); c = a, c2 = a2 + kRatioEarlyDatasetExponent. k > 1:
// the late term R^k then starts with slope 0 at one epoch (k < 1 would have
// an infinite slope there, so every run's loss would rise just after its
// first epoch, against property (b) of MODEL.md §2b).
template <typename T>
formulas::LawTerms<T> RatioTerms(const T* x, double fixed_rd_star = 0) {
  using std::exp;
  return formulas::LawTerms<T>{exp(x[6]),
                               exp(x[7]),
                               exp(x[8]),
                               x[9],
                               x[9],
                               fixed_rd_star > 0 ? T(fixed_rd_star) : exp(x[0]),
                               exp(x[1]),
                               true,
                               x[2],
                               x[3],
                               x[3],
                               1.0 + exp(x[4]),
                               0.0,
                               exp(x[5]),
                               x[10],
                               x[11],
                               x[11] + kRatioEarlyDatasetExponent,
                               exp(x[12])};
}

// Σ Huber_δ(log L̂ − log L) over the measurements + (δ/δ_p) w Σ Huber_δp over
// the pairs' log penalty ratios (the pair term on the same scale per unit
// of residual).
template <typename T>
bool RatioObjective(const RatioData& d, const T* x, T* cost) {
  using std::log;
  if (!(Value(x[9]) > 0.01) || !(Value(x[3]) >= 0) || !(Value(x[11]) >= 0)) return false;
  const formulas::LawTerms<T> l = RatioTerms(x, d.options.rd_star);
  T sum(0.0);
  for (size_t i = 0; i < d.runs.size(); ++i) {
    const T pred = formulas::RepeatedLoss(l, d.runs.n[i], d.runs.d[i], d.runs.u[i]);
    sum += Huber(T(log(pred) - d.runs.ln_loss[i]), d.options.huber_delta);
  }
  if (d.options.pair_weight > 0) {
    sum += (d.options.pair_weight * d.options.huber_delta / d.options.pair_huber_delta) *
           PairCost(d.pairs, l, d.options.pair_huber_delta);
  }
  *cost = sum;
  return AllFinite(sum);
}

struct RatioFunctor {
  const RatioData* data;
  template <typename T>
  bool operator()(const T* x, T* cost) const {
    return RatioObjective(*data, x, cost);
  }
};

using RatioVec = std::array<double, kNumRatioParams>;

double RatioCost(const RatioData& d, const RatioVec& x) {
  double cost = 0;
  if (!RatioObjective(d, x.data(), &cost)) return std::numeric_limits<double>::infinity();
  return cost;
}

std::pair<RatioVec, double> MinimizeRatio(const RatioData& d, const RatioVec& start) {
  if (!std::isfinite(RatioCost(d, start))) {
    return {start, std::numeric_limits<double>::infinity()};
  }
  double x[kNumRatioParams];
  std::copy(start.begin(), start.end(), x);
  ceres::GradientProblem problem(
      new ceres::AutoDiffFirstOrderFunction<RatioFunctor, kNumRatioParams>(new RatioFunctor{&d}));
  const ceres::GradientProblemSolver::Options o = detail::LbfgsOptions(5000, 1e-13, 1e-12, 1e-13);
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(o, problem, x, &summary);
  RatioVec out;
  std::copy(x, x + kNumRatioParams, out.begin());
  return {out, RatioCost(d, out)};
}

Law RatioLaw(const RatioVec& x, double fixed_rd_star) {
  formulas::LawTerms<double> t = RatioTerms(x.data(), fixed_rd_star);
  // A decay scale the runs cannot bound (a small set without heavily
  // repeated or oversized runs drives R_N* towards infinity: nothing to
  // discount) is held at the bound, where it discounts nothing either
  // (R_N / 1e12 is below 1e-6 for any N / N_opt under 1e6).
  t.rd_star = std::min(t.rd_star, kMaxDecayScale);
  t.rn_star = std::min(t.rn_star, kMaxDecayScale);
  return WithRatioConstants(
      MakeLaw(LawPreset::kRatio2026),
      {t.e, t.a, t.b, t.alpha, t.rd_star, t.rn_star, t.w, t.ka, t.k, t.height, t.w2, t.a2, t.k2});
}

RatioVec RatioVecOf(const Law& law) {
  return {std::log(law.rd_star),
          std::log(law.rn_star),
          law.overfit_w,
          law.overfit_a,
          std::log(std::max(law.overfit_k - 1.0, 1e-12)),  // k > 1 (RatioTerms)
          std::log(law.overfit_height),
          std::log(law.e),
          std::log(law.a),
          std::log(law.b),
          law.alpha,
          law.overfit_w2,
          law.overfit_a2,
          std::log(law.overfit_k2)};
}

// Starts: Muennighoff's E, A, B, alpha = beta; R_D* in {15, 1000}, R_N* in
// {5, 300}, w in {-12, -9}, a in {3, 5}, k = 1.5, H = 8 nats; the early term
// w2 in {-5, -3.5}, a2 = 0.6, k2 = 0.2; and ratio2026's constants (33 starts).
std::vector<RatioVec> RatioStarts() {
  const Law m = MakeLaw(LawPreset::kMuennighoff2023);
  std::vector<RatioVec> out;
  for (double rd : {15.0, 1000.0})
    for (double rn : {5.0, 300.0})
      for (double w : {-12.0, -9.0})
        for (double a : {3.0, 5.0})
          for (double w2 : {-5.0, -3.5})
            out.push_back({std::log(rd), std::log(rn), w, a, std::log(0.5), std::log(8.0),
                           std::log(m.e), std::log(m.a), std::log(m.b), m.alpha, w2, 0.6,
                           std::log(0.2)});
  // And the shipped constants: a training fold far from the grid (a cv fold
  // without the collapsed runs) still starts near a valid optimum.
  out.push_back(RatioVecOf(MakeLaw(LawPreset::kRatio2026)));
  return out;
}

Expected<RatioFit> FitRatioFrom(std::span<const MeasuredRun> runs, const RatioFitOptions& options,
                                const std::vector<RatioVec>& starts) {
  RatioData d{Measurements(runs), Prepare(FormPairs(runs)), options};
  if (d.runs.size() < static_cast<size_t>(kNumRatioParams)) {
    return Error{fmt::format("{} measurements: at least {} needed to fit {} constants",
                             d.runs.size(), kNumRatioParams, kNumRatioParams)};
  }
  using Result = std::pair<RatioVec, double>;
  const std::vector<Result> results = detail::MinimiseAll(
      starts, options.threads, [&](const RatioVec& s) { return MinimizeRatio(d, s); });
  auto objective = [](const Result& r) { return r.second; };
  const std::optional<size_t> best = detail::BestIndex(results, objective, [&](const Result& r) {
    return !Validate(RatioLaw(r.first, options.rd_star));
  });
  if (!best) {
    return Error{"ratio form: no start reached a finite objective with valid constants"};
  }
  RatioFit out;
  out.law = RatioLaw(results[*best].first, options.rd_star);
  out.objective = results[*best].second;
  out.measurements = static_cast<int>(d.runs.size());
  out.pairs = static_cast<int>(d.pairs.size());
  out.starts = static_cast<int>(starts.size());
  out.converged_to_best =
      detail::CountWithin(results, objective, out.objective, kSameOptimumTol * 1e-3);
  return out;
}

}  // namespace

std::span<const std::string_view> RatioParamNames() { return kRatioParamNames; }

Expected<RatioFit> FitRatioForm(std::span<const MeasuredRun> runs, const RatioFitOptions& options) {
  for (size_t i = 0; i < runs.size(); ++i) {
    const MeasuredRun& r = runs[i];
    for (double v : {r.params, r.tokens, r.unique_tokens, r.loss}) {
      if (!std::isfinite(v) || !(v > 0))
        return Error{fmt::format("run {}: a field is not > 0", i + 1)};
    }
  }
  return FitRatioFrom(runs, options, RatioStarts());
}

Expected<std::vector<Law>> BootstrapRatioForm(std::span<const MeasuredRun> runs,
                                              const RatioFitOptions& options, const RatioFit& full,
                                              int resamples, uint64_t seed) {
  if (runs.empty()) return Error{"no runs to resample"};
  RatioFitOptions one = options;
  one.threads = 1;
  // RunBootstrap draws what this loop drew before it was shared:
  // std::mt19937_64(BootstrapSeed(seed, i)), runs.size() draws mod runs.size().
  return detail::RunBootstrap(runs, resamples, seed, options.threads,
                              [&](const std::vector<MeasuredRun>& sample) -> std::optional<Law> {
                                Expected<RatioFit> f =
                                    FitRatioFrom(sample, one, {RatioVecOf(full.law)});
                                if (!f) return std::nullopt;
                                return f->law;
                              })
      .fits;
}

Expected<Law> RefitDecayConstants(std::span<const PenaltyPair> pairs, const Law& base,
                                  int threads) {
  std::vector<FitRun> runs;
  std::map<std::tuple<std::vector<std::string>, double, double>, bool> fresh_seen;
  for (const PenaltyPair& p : pairs) {
    runs.push_back(FitRun{p.params, p.tokens, p.unique_tokens, p.loss_repeated});
    if (fresh_seen.emplace(std::make_tuple(p.group, p.params, p.tokens), true).second) {
      runs.push_back(FitRun{p.params, p.tokens, p.tokens, p.loss_fresh});
    }
  }
  FitOptions o;
  o.form = FitForm::kDataConstrained;
  o.fixed[static_cast<int>(FitParam::kE)] = base.e;
  o.fixed[static_cast<int>(FitParam::kA)] = base.a;
  o.fixed[static_cast<int>(FitParam::kB)] = base.b;
  o.fixed[static_cast<int>(FitParam::kAlpha)] = base.alpha;
  o.fixed[static_cast<int>(FitParam::kBeta)] = base.beta;
  o.threads = threads;
  Expected<FitResult> r = Fit(runs, o);
  if (!r) return Error{r.error()};
  Law law = base;
  law.rd_star = r->constants.rd_star;
  law.rn_star = r->constants.rn_star;
  return law;
}

// --- Candidates and folds ------------------------------------------------------------

std::optional<Candidate> CandidateForPreset(std::string_view name) {
  const std::optional<LawPreset> p = LawPresetFromString(name);
  if (!p) return std::nullopt;
  Candidate c;
  c.name = std::string(name);
  c.law = MakeLaw(*p);
  if (*p == LawPreset::kMuennighoff2023) {
    c.kind = CandidateKind::kRefitPreset;
    c.form = "data-constrained";
  } else if (*p == LawPreset::kOverfit2026) {
    c.kind = CandidateKind::kRefitPreset;
    c.form = "overfit";
  } else if (*p == LawPreset::kRatio2026) {
    c.kind = CandidateKind::kRefitPreset;
    c.form = "ratio";
  } else {
    c.kind = CandidateKind::kFixedLaw;
  }
  return c;
}

std::optional<Candidate> CandidateForForm(std::string_view name) {
  Candidate c;
  c.name = std::string(name);
  c.kind = CandidateKind::kForm;
  c.form = std::string(name);
  if (name == "data-constrained") {
    c.law = MakeLaw(LawPreset::kMuennighoff2023);
  } else if (name == "overfit") {
    c.law = MakeLaw(LawPreset::kOverfit2026);
  } else if (name == "ratio") {
    c.law = MakeLaw(LawPreset::kRatio2026);
  } else {
    return std::nullopt;
  }
  return c;
}

std::vector<Candidate> DefaultCandidates() {
  std::vector<Candidate> out;
  for (std::string_view n : {"ratio2026", "overfit2026", "muennighoff2023"}) {
    out.push_back(*CandidateForPreset(n));
  }
  for (std::string_view n : ValidateFormNames()) out.push_back(*CandidateForForm(n));
  return out;
}

namespace {
constexpr std::array<std::string_view, 3> kFoldColumnNames = {"params", "unique_tokens", "epochs"};
}  // namespace

std::span<const std::string_view> FoldColumnNames() { return kFoldColumnNames; }

Expected<FoldSpec> ParseFoldSpec(std::string_view name, uint64_t seed) {
  FoldSpec spec;
  spec.seed = seed;
  if (name == "params") {
    spec.kind = FoldKind::kParams;
  } else if (name == "unique_tokens") {
    spec.kind = FoldKind::kUniqueTokens;
  } else if (name == "epochs") {
    spec.kind = FoldKind::kEpochs;
  } else {
    uint64_t k = 0;
    const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), k);
    if (name.empty() || ec != std::errc() || ptr != name.data() + name.size()) {
      return Error{fmt::format(
          "'{}': unknown folds (one of: params, unique_tokens, epochs, or an integer K >= 2)",
          name)};
    }
    if (k < 2 || k > 100000) return Error{fmt::format("{}: K must be from 2 to 100000", name)};
    spec.kind = FoldKind::kRandom;
    spec.k = static_cast<int>(k);
  }
  return spec;
}

std::string FoldSpec::Name() const {
  switch (kind) {
    case FoldKind::kParams:
      return "params";
    case FoldKind::kUniqueTokens:
      return "unique_tokens";
    case FoldKind::kEpochs:
      return "epochs";
    case FoldKind::kRandom:
      return fmt::format("{}-fold", k);
  }
  return "?";
}

std::vector<int> AssignFolds(std::span<const PenaltyPair> pairs, const FoldSpec& spec, int* folds) {
  std::vector<int> out(pairs.size());
  if (spec.kind == FoldKind::kRandom) {
    std::vector<size_t> order(pairs.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(BootstrapSeed(spec.seed, 0));
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    for (size_t i = 0; i < order.size(); ++i) out[order[i]] = static_cast<int>(i % spec.k);
    *folds = std::min<int>(spec.k, static_cast<int>(pairs.size()));
    return out;
  }
  std::map<double, int> groups;
  auto value = [&](const PenaltyPair& p) {
    return spec.kind == FoldKind::kParams         ? p.params
           : spec.kind == FoldKind::kUniqueTokens ? p.unique_tokens
                                                  : p.tokens / p.unique_tokens;
  };
  for (const PenaltyPair& p : pairs) groups.emplace(value(p), 0);
  int next = 0;
  for (auto& [v, i] : groups) i = next++;
  for (size_t i = 0; i < pairs.size(); ++i) out[i] = groups[value(pairs[i])];
  *folds = next;
  return out;
}

namespace {

struct Trained {
  Law law;
  std::vector<std::string_view> held;  // constants held at the preset
  std::string note;                    // why, "" when none
};

// `train_runs`: the runs the ratio form (ratio2026) is fitted on; the other
// candidates fit on the pairs alone.
Expected<Trained> Train(const Candidate& c, std::span<const PenaltyPair> train,
                        std::span<const MeasuredRun> train_runs, bool in_sample, int threads) {
  if (c.kind == CandidateKind::kFixedLaw) return Trained{c.law, {}, {}};
  if (c.kind == CandidateKind::kRefitPreset && in_sample) return Trained{c.law, {}, {}};
  if (c.form == "ratio") {
    if (train_runs.empty()) {
      return Error{"the ratio form is fitted on the runs: none given", std::string(kDataErrorKey)};
    }
    RatioFitOptions o = c.ratio;
    o.threads = threads;
    Expected<RatioFit> f = FitRatioForm(train_runs, o);
    if (!f) {
      // Too few measurements for 13 constants, or no valid optimum: every
      // constant held at ratio2026's (a small run set cannot refit it).
      std::vector<std::string_view> held(RatioParamNames().begin(), RatioParamNames().end());
      return Trained{c.law, held,
                     fmt::format("every ratio-form constant held at ratio2026's: {}", f.error())};
    }
    return Trained{f->law, {}, {}};
  }
  if (train.empty()) {
    return Error{"no training pairs to fit on", std::string(kDataErrorKey)};
  }
  if (c.form == "overfit") {
    OverfitFitOptions o;
    o.base = c.law;
    o.threads = threads;
    std::vector<std::string> reasons;
    Expected<OverfitFit> f = FitOverfitIdentifiable(train, o, &reasons);
    if (!f) return Error{f.error(), f.error_key()};
    Trained t{f->law, {}, {}};
    for (int i = 0; i < kNumOverfitParams; ++i) {
      if (f->held[i]) t.held.push_back(kOverfitParamNames[i]);
    }
    if (!t.held.empty()) {
      t.note = fmt::format("{} held at {}'s value ({})", fmt::join(t.held, ", "),
                           ToString(c.law.preset), fmt::join(reasons, "; "));
    }
    return t;
  }
  Expected<Law> law = RefitDecayConstants(train, c.law, threads);
  if (!law) return Error{law.error(), law.error_key()};
  return Trained{*law, {}, {}};
}

// Records what a fit held into a row's `held` (sorted, unique) and `notes`.
void AddHeld(const Trained& t, const std::string& where, std::vector<std::string>* held,
             std::vector<std::string>* notes) {
  for (std::string_view h : t.held) {
    if (std::find(held->begin(), held->end(), h) == held->end()) held->emplace_back(h);
  }
  std::sort(held->begin(), held->end());
  if (!t.note.empty()) notes->push_back(where + ": " + t.note);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Stats {
  double median = 0, mean = 0, max = 0;
};

// Median, mean and max of a non-empty list.
Stats Summarise(const std::vector<double>& v) {
  return Stats{Median(v), std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()),
               *std::max_element(v.begin(), v.end())};
}

}  // namespace

Expected<Law> InSampleLaw(const Candidate& candidate, std::span<const PenaltyPair> pairs,
                          int threads, std::string* note, std::span<const MeasuredRun> runs) {
  Expected<Trained> t = Train(candidate, pairs, runs, true, threads);
  if (!t) return Error{t.error(), t.error_key()};
  if (note) *note = t->note;
  return t->law;
}

namespace {

// " (params = 1e+08)" for a grouped fold, "" for a random one.
std::string FoldLabel(std::span<const PenaltyPair> pairs, const std::vector<int>& fold, int f,
                      const FoldSpec& spec) {
  if (spec.kind == FoldKind::kRandom) return "";
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (fold[i] != f) continue;
    const PenaltyPair& p = pairs[i];
    const double v = spec.kind == FoldKind::kParams         ? p.params
                     : spec.kind == FoldKind::kUniqueTokens ? p.unique_tokens
                                                            : p.epochs();
    return fmt::format(" ({} = {:g})", spec.Name(), v);
  }
  return "";
}

// The runs a cv fold trains the ratio form on. Held out: the repeated and
// fresh runs of every held-out pair, and for a column fold every run with a
// held-out value of the column.
std::vector<MeasuredRun> TrainingRuns(std::span<const MeasuredRun> runs,
                                      std::span<const PenaltyPair> pairs,
                                      const std::vector<int>& fold, int held_out,
                                      const FoldSpec& spec) {
  std::set<std::tuple<std::vector<std::string>, double, double, double>> out_runs;
  std::set<std::tuple<std::vector<std::string>, double, double>> out_fresh;
  std::set<double> out_values;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (fold[i] != held_out) continue;
    const PenaltyPair& p = pairs[i];
    out_runs.emplace(p.group, p.params, p.tokens, p.unique_tokens);
    out_fresh.emplace(p.group, p.params, p.tokens);
    out_values.insert(spec.kind == FoldKind::kParams         ? p.params
                      : spec.kind == FoldKind::kUniqueTokens ? p.unique_tokens
                                                             : p.tokens / p.unique_tokens);
  }
  std::vector<MeasuredRun> train;
  for (const MeasuredRun& r : runs) {
    if (out_runs.count({r.group, r.params, r.tokens, r.unique_tokens})) continue;
    if (r.unique_tokens >= r.tokens && out_fresh.count({r.group, r.params, r.tokens})) continue;
    const double v = spec.kind == FoldKind::kParams         ? r.params
                     : spec.kind == FoldKind::kUniqueTokens ? r.unique_tokens
                     : spec.kind == FoldKind::kEpochs       ? r.tokens / r.unique_tokens
                                                            : -1.0;
    if (spec.kind != FoldKind::kRandom && out_values.count(v)) continue;
    train.push_back(r);
  }
  return train;
}

}  // namespace

Expected<ValidationRow> ValidateCandidate(std::span<const PenaltyPair> pairs,
                                          const Candidate& candidate,
                                          const std::optional<FoldSpec>& folds, int threads,
                                          const ValidateProgress& progress,
                                          std::span<const MeasuredRun> runs) {
  if (pairs.empty()) {
    return Error{"no repeated-vs-fresh pairs to validate on", std::string(kDataErrorKey)};
  }
  ValidationRow row;
  row.candidate = candidate.name;
  row.evaluation = folds ? "cv:" + folds->Name() : "in-sample";
  row.pairs = static_cast<int>(pairs.size());
  row.predictions.resize(pairs.size());
  auto predict = [&](const Law& law, size_t i) {
    PairPrediction& p = row.predictions[i];
    p.pair = i;
    p.predicted_pct = PredictedPenaltyPct(law, pairs[i]);
    p.abs_error_pp = std::fabs(p.predicted_pct - pairs[i].MeasuredPct());
  };
  if (!folds) {
    Expected<Trained> law = Train(candidate, pairs, runs, true, threads);
    if (!law) {
      return Error{fmt::format("{} in-sample: {}", candidate.name, law.error()), law.error_key()};
    }
    AddHeld(*law, "in-sample", &row.held, &row.notes);
    for (size_t i = 0; i < pairs.size(); ++i) predict(law->law, i);
    if (progress) progress();
  } else {
    int n_folds = 0;
    const std::vector<int> fold = AssignFolds(pairs, *folds, &n_folds);
    if (n_folds < 2) {
      return Error{
          fmt::format("cv:{}: the {} pairs make one fold, which leaves nothing to train on "
                      "({}: needs pairs at two or more {})",
                      folds->Name(), pairs.size(),
                      folds->kind == FoldKind::kRandom ? "random folds" : "grouped folds",
                      folds->kind == FoldKind::kRandom ? "pairs" : folds->Name() + " values"),
          std::string(kDataErrorKey)};
    }
    for (int f = 0; f < n_folds; ++f) {
      std::vector<PenaltyPair> train;
      for (size_t i = 0; i < pairs.size(); ++i) {
        if (fold[i] != f) train.push_back(pairs[i]);
      }
      const std::vector<MeasuredRun> train_runs = TrainingRuns(runs, pairs, fold, f, *folds);
      Expected<Trained> law = Train(candidate, train, train_runs, false, threads);
      const std::string where =
          fmt::format("cv:{} fold {}{}", folds->Name(), f + 1, FoldLabel(pairs, fold, f, *folds));
      if (!law) {
        return Error{fmt::format("{} {}: {}", candidate.name, where, law.error()), law.error_key()};
      }
      AddHeld(*law, where, &row.held, &row.notes);
      for (size_t i = 0; i < pairs.size(); ++i) {
        if (fold[i] == f) predict(law->law, i);
      }
      if (progress) progress();
    }
  }
  std::vector<double> errors, ratios;
  for (const PairPrediction& p : row.predictions) {
    errors.push_back(p.abs_error_pp);
    const double measured = pairs[p.pair].MeasuredPct();
    if (measured >= kModeratePenaltyMinPct && measured <= kModeratePenaltyMaxPct) {
      ratios.push_back(p.predicted_pct / measured);
    }
  }
  const Stats e = Summarise(errors);
  row.median_abs_error_pp = e.median;
  row.mean_abs_error_pp = e.mean;
  row.max_abs_error_pp = e.max;
  row.moderate_pairs = static_cast<int>(ratios.size());
  row.moderate_ratio_median =
      ratios.empty() ? std::numeric_limits<double>::quiet_NaN() : Median(ratios);
  return row;
}

// --- Allocation check ----------------------------------------------------------------

std::vector<AllocationGroup> FormAllocationGroups(std::span<const MeasuredRun> runs) {
  // (group, U) -> (N, D) -> seed mean.
  std::map<std::pair<std::vector<std::string>, double>, std::map<std::pair<double, double>, Mean>>
      by;
  for (const MeasuredRun& r : runs) {
    by[{r.group, r.unique_tokens}][{r.params, r.tokens}].Add(r.loss);
  }
  std::vector<AllocationGroup> out;
  for (const auto& [key, cells] : by) {
    std::vector<AllocationMeasurement> ms;
    for (const auto& [nd, m] : cells) {
      ms.push_back(AllocationMeasurement{nd.first, nd.second, key.second, m.Value(), m.n});
    }
    std::stable_sort(ms.begin(), ms.end(), [](const auto& x, const auto& y) {
      return std::tuple(x.Compute(), x.params, x.tokens) <
             std::tuple(y.Compute(), y.params, y.tokens);
    });
    auto median_compute = [&](size_t from, size_t to) {  // [from, to)
      std::vector<double> c;
      for (size_t i = from; i < to; ++i) c.push_back(ms[i].Compute());
      return Median(c);
    };
    auto fits = [&](size_t from, size_t to) {
      const double med = median_compute(from, to);
      for (size_t i = from; i < to; ++i) {
        if (std::fabs(ms[i].Compute() / med - 1.0) > kAllocationComputeTolerance) return false;
      }
      return true;
    };
    size_t i = 0;
    while (i < ms.size()) {
      size_t j = i + 1;
      while (j < ms.size() && fits(i, j + 1)) ++j;
      AllocationGroup g;
      g.group = key.first;
      g.unique_tokens = key.second;
      g.median_compute = median_compute(i, j);
      g.members.assign(ms.begin() + static_cast<std::ptrdiff_t>(i),
                       ms.begin() + static_cast<std::ptrdiff_t>(j));
      i = j;
      std::vector<double> sizes;
      for (const auto& m : g.members) sizes.push_back(m.params);
      std::sort(sizes.begin(), sizes.end());
      const auto distinct = std::unique(sizes.begin(), sizes.end()) - sizes.begin();
      for (size_t k = 1; k < g.members.size(); ++k) {
        if (g.members[k].loss < g.members[g.best].loss) g.best = k;
      }
      if (distinct >= kAllocationMinSizes && g.members[g.best].loss < kAllocationMaxBestLoss) {
        out.push_back(std::move(g));
      }
    }
  }
  return out;
}

Expected<AllocationRow> ValidateAllocation(std::span<const MeasuredRun> runs,
                                           std::span<const PenaltyPair> pairs,
                                           std::span<const AllocationGroup> groups,
                                           const Candidate& candidate, bool cross_validate,
                                           int threads, const ValidateProgress& progress) {
  if (groups.empty()) {
    return Error{
        fmt::format(
            "no allocation groups: a group needs runs with equal unique_tokens (and group values) "
            "whose compute 6 N D is within {:g} % of their median, >= {} distinct params and a "
            "best "
            "loss below {:g} nats",
            100 * kAllocationComputeTolerance, kAllocationMinSizes, kAllocationMaxBestLoss),
        std::string(kDataErrorKey)};
  }
  AllocationRow row;
  row.candidate = candidate.name;
  row.evaluation = cross_validate ? "cv:allocation" : "in-sample";
  row.groups = static_cast<int>(groups.size());
  std::vector<double> loss_errors;
  auto pick = [&](const Law& law, size_t gi) {
    const AllocationGroup& g = groups[gi];
    AllocationPick p;
    p.group = gi;
    p.predicted_loss = std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < g.members.size(); ++k) {
      const AllocationMeasurement& m = g.members[k];
      const double l = DataConstrainedLoss(law, m.params, m.tokens, m.unique_tokens);
      if (cross_validate) loss_errors.push_back(100.0 * std::fabs(l - m.loss) / m.loss);
      if (l < p.predicted_loss) {
        p.predicted_loss = l;
        p.pick = k;
      }
    }
    p.regret_pct = 100.0 * (g.members[p.pick].loss / g.members[g.best].loss - 1.0);
    row.picks.push_back(p);
  };
  if (!cross_validate) {
    Expected<Trained> law = Train(candidate, pairs, runs, true, threads);
    if (!law) {
      return Error{fmt::format("{} in-sample: {}", candidate.name, law.error()), law.error_key()};
    }
    AddHeld(*law, "in-sample", &row.held, &row.notes);
    for (size_t gi = 0; gi < groups.size(); ++gi) pick(law->law, gi);
    for (const MeasuredRun& r : runs) {
      const double l = DataConstrainedLoss(law->law, r.params, r.tokens, r.unique_tokens);
      loss_errors.push_back(100.0 * std::fabs(l - r.loss) / r.loss);
    }
    if (progress) progress();
  } else {
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      const AllocationGroup& g = groups[gi];
      auto in_group = [&](double n, double d, double u, bool fresh) {
        for (const AllocationMeasurement& m : g.members) {
          if (m.params != n || m.tokens != d) continue;
          if (fresh ? m.unique_tokens >= m.tokens : m.unique_tokens == u) return true;
        }
        return false;
      };
      std::vector<PenaltyPair> train;
      for (const PenaltyPair& p : pairs) {
        if (p.group == g.group && (in_group(p.params, p.tokens, p.unique_tokens, false) ||
                                   in_group(p.params, p.tokens, 0, true))) {
          continue;
        }
        train.push_back(p);
      }
      // The ratio form's runs: all but the group's (and their fresh partners).
      std::vector<MeasuredRun> train_runs;
      for (const MeasuredRun& r : runs) {
        if (r.group == g.group &&
            (in_group(r.params, r.tokens, r.unique_tokens, false) ||
             (r.unique_tokens >= r.tokens && in_group(r.params, r.tokens, 0, true)))) {
          continue;
        }
        train_runs.push_back(r);
      }
      Expected<Trained> law = Train(candidate, train, train_runs, false, threads);
      const std::string where =
          fmt::format("cv:allocation group {} (unique_tokens {:g}, compute {:.3g})", gi + 1,
                      g.unique_tokens, g.median_compute);
      if (!law) {
        return Error{fmt::format("{} {}: {}", candidate.name, where, law.error()), law.error_key()};
      }
      AddHeld(*law, where, &row.held, &row.notes);
      pick(law->law, gi);
      if (progress) progress();
    }
  }
  std::vector<double> regrets;
  for (const AllocationPick& p : row.picks) {
    regrets.push_back(p.regret_pct);
    if (p.pick == groups[p.group].best) ++row.hits;
  }
  const Stats r = Summarise(regrets);
  row.median_regret_pct = r.median;
  row.mean_regret_pct = r.mean;
  row.max_regret_pct = r.max;
  const Stats l = Summarise(loss_errors);
  row.loss_runs = static_cast<int>(loss_errors.size());
  row.median_loss_error_pct = l.median;
  row.mean_loss_error_pct = l.mean;
  row.max_loss_error_pct = l.max;
  return row;
}

}  // namespace repsim
