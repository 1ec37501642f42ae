// Penalty pairs, the overfit form's fit on them, and grouped cross-validation
// (include/repsim/validate.h, MODEL.md §2b).
#include "repsim/validate.h"

#include <ceres/autodiff_first_order_function.h>
#include <ceres/gradient_problem.h>
#include <ceres/gradient_problem_solver.h>
#include <ceres/jet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <thread>
#include <tuple>

#include "core/jet.h"
#include "repsim/engine.h"

namespace repsim {
namespace {

constexpr std::array<std::string_view, kNumOverfitParams> kOverfitParamNames = {
    "rd_star", "rn_star", "overfit_w", "overfit_a", "overfit_c", "overfit_k"};
constexpr std::array<std::string_view, 2> kFormNames = {"data-constrained", "overfit"};

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
using detail::Value;

struct PairData {
  std::vector<double> ln_n, ln_d, ln_u, rd, target;
  size_t size() const { return ln_n.size(); }
};

PairData Prepare(std::span<const PenaltyPair> pairs) {
  PairData d;
  for (const PenaltyPair& p : pairs) {
    d.ln_n.push_back(std::log(p.params));
    d.ln_d.push_back(std::log(p.tokens));
    d.ln_u.push_back(std::log(p.unique_tokens));
    d.rd.push_back(p.tokens / p.unique_tokens - 1.0);
    d.target.push_back(std::log(p.loss_repeated / p.loss_fresh));
  }
  return d;
}

struct Base {
  double e, a, b, alpha, beta, ln_g, cap, delta;
};

// log N' for N = exp(ln_n) with `ln_seen` unique tokens seen (MODEL.md §2).
template <typename T>
T LogEffectiveParams(double ln_n, double ln_seen, const Base& base, const T& rn_star) {
  using std::expm1;
  using std::log1p;
  const double ln_nopt = (base.ln_g + base.beta * ln_seen) / base.alpha;
  if (ln_n <= ln_nopt) return T(ln_n);
  const double rn = std::expm1(ln_n - ln_nopt);
  return T(ln_nopt) + log1p(-rn_star * expm1(T(-rn) / rn_star));
}

// p = (log R_D*, log R_N*, w, a, c, log k).
template <typename T>
bool Objective(const PairData& d, const Base& base, const T* p, T* cost) {
  using std::exp;
  using std::expm1;
  using std::log;
  using std::log1p;
  const T rd_star = exp(p[0]);
  const T rn_star = exp(p[1]);
  const T k = exp(p[5]);
  T sum(0.0);
  for (size_t i = 0; i < d.size(); ++i) {
    const T ln_np_fresh = LogEffectiveParams(d.ln_n[i], d.ln_d[i], base, rn_star);
    const T fresh = base.e + base.a * exp(-base.alpha * ln_np_fresh) +
                    base.b * std::exp(-base.beta * d.ln_d[i]);
    const T ln_np = LogEffectiveParams(d.ln_n[i], d.ln_u[i], base, rn_star);
    const T ln_dp = d.ln_u[i] + log1p(-rd_star * expm1(-d.rd[i] / rd_star));
    const T lm = base.e + base.a * exp(-base.alpha * ln_np) + base.b * exp(-base.beta * ln_dp);
    const T z = exp(p[2] + p[3] * (ln_np - std::log(1e9)) - p[4] * (d.ln_u[i] - std::log(1e9)) +
                    k * std::log(d.rd[i]));
    T loss = lm;
    if (Value(lm) < base.cap) loss = lm + (base.cap - lm) * (-expm1(-z));
    const T r = log(loss) - log(fresh) - d.target[i];
    const double v = Value(r);
    if (std::abs(v) <= base.delta) {
      sum += 0.5 * r * r;
    } else {
      sum += base.delta * ((v < 0 ? -r : r) - 0.5 * base.delta);
    }
  }
  *cost = sum;
  return AllFinite(sum);
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

Local Minimize(const PairData& d, const Base& base, const Vec& start) {
  Local out;
  if (!std::isfinite(EvaluateAt(d, base, start))) return out;
  double x[kNumOverfitParams];
  std::copy(start.begin(), start.end(), x);
  ceres::GradientProblem problem(
      new ceres::AutoDiffFirstOrderFunction<Functor, kNumOverfitParams>(new Functor{&d, &base}));
  ceres::GradientProblemSolver::Options o;
  o.line_search_direction_type = ceres::LBFGS;
  o.line_search_type = ceres::WOLFE;
  o.max_num_iterations = 2000;
  o.function_tolerance = 1e-12;
  o.gradient_tolerance = 1e-11;
  o.parameter_tolerance = 1e-12;
  o.logging_type = ceres::SILENT;
  o.update_state_every_iteration = true;
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(o, problem, x, &summary);
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

template <typename Fn>
void ParallelFor(int n, int threads, const Fn& fn) {
  if (threads <= 0) threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::min(threads, n); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
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
    return fmt::format("{} pairs: at least {} needed to fit {} constants", pairs.size(), needed,
                       needed);
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
  std::vector<Local> results(starts.size());
  ParallelFor(static_cast<int>(starts.size()), options.threads,
              [&](int i) { results[i] = Minimize(d, base, starts[i]); });
  size_t best = results.size();
  for (size_t i = 0; i < results.size(); ++i) {
    if (!std::isfinite(results[i].objective)) continue;
    if (!Validate(ToLaw(options, base, results[i].x))) {
      if (best == results.size() || results[i].objective < results[best].objective) best = i;
    }
  }
  if (best == results.size()) {
    return Error{"overfit form: no start reached a finite objective with valid constants"};
  }
  OverfitFit out;
  out.law = ToLaw(options, base, results[best].x);
  out.objective = results[best].objective;
  out.pairs = static_cast<int>(d.size());
  out.starts = static_cast<int>(starts.size());
  for (const Local& r : results) {
    if (std::fabs(r.objective - out.objective) <= kSameOptimumTol) ++out.converged_to_best;
  }
  return out;
}

Vec ToVec(const Law& law) {
  return {std::log(law.rd_star), std::log(law.rn_star), law.overfit_w,
          law.overfit_a,         law.overfit_c,         std::log(law.overfit_k)};
}

}  // namespace

Expected<OverfitFit> FitOverfitForm(std::span<const PenaltyPair> pairs,
                                    const OverfitFitOptions& options) {
  if (auto err = CheckPairs(pairs, kNumOverfitParams)) return Error{*err};
  const PairData d = Prepare(pairs);
  return FitFrom(d, options, StartGrid());
}

Expected<std::vector<Law>> BootstrapOverfitForm(std::span<const PenaltyPair> pairs,
                                                const OverfitFitOptions& options,
                                                const OverfitFit& full, int resamples,
                                                uint64_t seed) {
  if (auto err = CheckPairs(pairs, kNumOverfitParams)) return Error{*err};
  std::vector<std::optional<Law>> laws(resamples);
  OverfitFitOptions one = options;
  one.threads = 1;
  ParallelFor(resamples, options.threads, [&](int i) {
    std::mt19937_64 rng(BootstrapSeed(seed, static_cast<uint64_t>(i)));
    std::vector<PenaltyPair> sample;
    sample.reserve(pairs.size());
    for (size_t j = 0; j < pairs.size(); ++j) sample.push_back(pairs[rng() % pairs.size()]);
    const PairData d = Prepare(sample);
    // From the full optimum and from Muennighoff's decay constants with the
    // optimum's exponents: two starts, so that one bad basin does not decide.
    Vec alt = ToVec(full.law);
    alt[0] = std::log(15.0);
    alt[1] = std::log(5.0);
    Expected<OverfitFit> f = FitFrom(d, one, {ToVec(full.law), alt});
    if (f) laws[i] = f->law;
  });
  std::vector<Law> out;
  for (auto& l : laws) {
    if (l) out.push_back(*l);
  }
  return out;
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
  } else {
    return std::nullopt;
  }
  return c;
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

Expected<Law> Train(const Candidate& c, std::span<const PenaltyPair> train, bool in_sample,
                    int threads) {
  if (c.kind == CandidateKind::kFixedLaw) return c.law;
  if (c.kind == CandidateKind::kRefitPreset && in_sample) return c.law;
  if (c.form == "overfit") {
    OverfitFitOptions o;
    o.base = c.law;
    o.threads = threads;
    Expected<OverfitFit> f = FitOverfitForm(train, o);
    if (!f) return Error{f.error()};
    return f->law;
  }
  return RefitDecayConstants(train, c.law, threads);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

Expected<ValidationRow> ValidateCandidate(std::span<const PenaltyPair> pairs,
                                          const Candidate& candidate,
                                          const std::optional<FoldSpec>& folds, int threads,
                                          const ValidateProgress& progress) {
  if (pairs.empty()) return Error{"no repeated-vs-fresh pairs to validate on"};
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
    Expected<Law> law = Train(candidate, pairs, true, threads);
    if (!law) return Error{fmt::format("{} in-sample: {}", candidate.name, law.error())};
    for (size_t i = 0; i < pairs.size(); ++i) predict(*law, i);
    if (progress) progress();
  } else {
    int n_folds = 0;
    const std::vector<int> fold = AssignFolds(pairs, *folds, &n_folds);
    for (int f = 0; f < n_folds; ++f) {
      std::vector<PenaltyPair> train;
      for (size_t i = 0; i < pairs.size(); ++i) {
        if (fold[i] != f) train.push_back(pairs[i]);
      }
      Expected<Law> law = Train(candidate, train, false, threads);
      if (!law) {
        return Error{
            fmt::format("{} cv:{} fold {}: {}", candidate.name, folds->Name(), f + 1, law.error())};
      }
      for (size_t i = 0; i < pairs.size(); ++i) {
        if (fold[i] == f) predict(*law, i);
      }
      if (progress) progress();
    }
  }
  std::vector<double> errors;
  for (const PairPrediction& p : row.predictions) errors.push_back(p.abs_error_pp);
  row.median_abs_error_pp = Median(errors);
  row.mean_abs_error_pp = std::accumulate(errors.begin(), errors.end(), 0.0) / errors.size();
  row.max_abs_error_pp = *std::max_element(errors.begin(), errors.end());
  return row;
}

}  // namespace repsim
