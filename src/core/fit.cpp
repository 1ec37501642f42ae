// Fitting loss laws to runs (MODEL.md §6): Huber on log loss, multi-start
// L-BFGS (Ceres GradientProblemSolver, automatic derivatives), bootstrap.
#include "repsim/fit.h"

#include <ceres/autodiff_first_order_function.h>
#include <ceres/gradient_problem.h>
#include <ceres/gradient_problem_solver.h>
#include <ceres/jet.h>
#include <fmt/format.h>
#include <glog/logging.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <limits>
#include <mutex>
#include <random>
#include <utility>

#include "core/jet.h"
#include "core/multistart.h"
#include "core/parallel.h"

namespace repsim {
namespace {

// --- Start grid values -------------------------------------------------------
// Besiroglu et al. 2024 (epoch-research/analyzing-chinchilla), as
// ../shared/bench/fit_scipy.py builds it: np.arange(0, 2.5, 0.5) etc.
constexpr std::array<double, 5> kGridExponents = {0.0, 0.5, 1.0, 1.5, 2.0};
constexpr std::array<double, 4> kGridExponentsPositive = {0.5, 1.0, 1.5, 2.0};
constexpr std::array<double, 5> kGridLogE = {-1.0, -0.5, 0.0, 0.5, 1.0};
constexpr std::array<double, 6> kGridLogAB = {0.0, 5.0, 10.0, 15.0, 20.0, 25.0};
// Ours: R_D*, R_N* starts at 2, 10, 50 (log-spaced by 5x around Muennighoff
// et al. 2023's fitted 15.4 and 5.3).
constexpr std::array<double, 3> kGridDecayScales = {2.0, 10.0, 50.0};

// The table (fit.h's FitParamInfo), in FitParam order. Log space: MODEL.md
// §6 (e = log E, a = log A, ...).
constexpr std::array<FitParamInfo, kNumFitParams> kParams = {{
    {FitParam::kE, "E", "irreducible loss, nats", &FitConstants::e, true, false, kGridLogE,
     kGridLogE, false, 2},
    {FitParam::kA, "A", "parameter term's scale, nats*params^alpha", &FitConstants::a, true, false,
     kGridLogAB, kGridLogAB, false, 3},
    {FitParam::kB, "B", "data term's scale, nats*tokens^beta", &FitConstants::b, true, false,
     kGridLogAB, kGridLogAB, false, 4},
    {FitParam::kAlpha, "alpha", "parameter exponent", &FitConstants::alpha, false, false,
     kGridExponents, kGridExponentsPositive, false, 0},
    {FitParam::kBeta, "beta", "data exponent", &FitConstants::beta, false, false, kGridExponents,
     kGridExponentsPositive, false, 1},
    {FitParam::kRdStar,
     "rd_star",
     "R_D*: epochs over which repeated data decays, epochs",
     &FitConstants::rd_star,
     true,
     true,
     {},
     kGridDecayScales,
     true,
     5},
    {FitParam::kRnStar,
     "rn_star",
     "R_N*: excess-parameter decay, multiples of U_N",
     &FitConstants::rn_star,
     true,
     true,
     {},
     kGridDecayScales,
     true,
     6},
}};

// Each row in FitParam order, each nesting place once.
static_assert([] {
  std::array<bool, kNumFitParams> place{};
  for (size_t i = 0; i < kParams.size(); ++i) {
    if (static_cast<size_t>(kParams[i].param) != i) return false;
    const int n = kParams[i].nesting;
    if (n < 0 || n >= kNumFitParams || place[static_cast<size_t>(n)]) return false;
    place[static_cast<size_t>(n)] = true;
  }
  return true;
}());

// The start grid's loops, outermost first (the table's nesting column).
constexpr std::array<FitParam, kNumFitParams> kNesting = [] {
  std::array<FitParam, kNumFitParams> order{};
  for (const FitParamInfo& p : kParams) order[static_cast<size_t>(p.nesting)] = p.param;
  return order;
}();

// FitParams()' and FitParamNames()' storage: the table's columns as lists.
constexpr std::array<FitParam, kNumFitParams> kAllParams = [] {
  std::array<FitParam, kNumFitParams> params{};
  for (size_t i = 0; i < params.size(); ++i) params[i] = kParams[i].param;
  return params;
}();
constexpr std::array<std::string_view, kNumFitParams> kParamNames = [] {
  std::array<std::string_view, kNumFitParams> names;
  for (size_t i = 0; i < names.size(); ++i) names[i] = kParams[i].name;
  return names;
}();

constexpr int Index(FitParam p) { return static_cast<int>(p); }

// A fixed value in the optimiser's space.
double ToOptimiserSpace(int i, double natural) {
  return kParams[static_cast<size_t>(i)].log_space ? std::log(natural) : natural;
}

// --- Local solver settings -----------------------------------------------------
// Each start is minimised in two phases.
//
// Search: stop once an L-BFGS iteration lowers the objective by less than
// 1e-5 of it. For objectives ~1e-3 that is scipy L-BFGS-B's own rule (it stops
// when the decrease is below 2.2e-9 absolute), so starts end in the basins
// they would under scipy (on the first 300 Chinchilla starts, as many reach
// the best as under scipy), after ~18 iterations on average instead of ~67
// for a tight run.
//
// Polish: every start that ended within kPolishMargin (relative) of the best
// search objective is continued with tight tolerances, so that the best
// objective matches or beats scipy's to 1e-9 (bench/run_fit.sh) and
// "converged to the best" (within kSameOptimumTol) is a property of the
// optimum, not of where a start happened to stop.
constexpr double kSearchFunctionTolerance = 1e-5;
constexpr double kSearchGradientTolerance = 1e-6;
constexpr double kSearchParameterTolerance = 1e-8;
constexpr int kSearchMaxIterations = 2000;
constexpr double kPolishFunctionTolerance = 1e-12;
constexpr double kPolishGradientTolerance = 1e-11;
constexpr double kPolishParameterTolerance = 1e-12;
// Most polishes end in ~30 iterations; a few creep along a kink of the Huber
// loss, each iteration gaining just over the function tolerance, for
// thousands. Stopping them at 200 changes the best objective by < 1e-15 on
// the Chinchilla data and saves half of the fit's time.
constexpr int kPolishMaxIterations = 200;
constexpr double kPolishMargin = 1e-3;
// L-BFGS memory: scipy's L-BFGS-B default (m = 10); on the Chinchilla grid it
// needs ~10 % fewer evaluations than Ceres's default of 20.
constexpr int kLbfgsRank = 10;
// Two local optima are "distinct" when some coordinate (optimiser space)
// differs by more than this.
constexpr double kDistinctOptimumTol = 1e-3;

// --- Runs, preprocessed ---------------------------------------------------------

// Everything the objective needs, as logs, one entry per run.
struct RunData {
  std::vector<double> ln_n, ln_d, ln_l;
  // Data-constrained form (MODEL.md §2):
  std::vector<double> ln_u;     // log U
  std::vector<double> ln_seen;  // log min(D, U): unique tokens seen
  std::vector<double> rd;       // R_D = D/U − 1 (used only when repeated)
  std::vector<char> repeated;   // D > U
  size_t size() const { return ln_n.size(); }
};

RunData Prepare(std::span<const FitRun> runs) {
  RunData d;
  const size_t n = runs.size();
  d.ln_n.reserve(n);
  d.ln_d.reserve(n);
  d.ln_l.reserve(n);
  d.ln_u.reserve(n);
  d.ln_seen.reserve(n);
  d.rd.reserve(n);
  d.repeated.reserve(n);
  for (const FitRun& r : runs) {
    d.ln_n.push_back(std::log(r.params));
    d.ln_d.push_back(std::log(r.tokens));
    d.ln_l.push_back(std::log(r.loss));
    const bool repeated = r.unique_tokens > 0 && r.tokens > r.unique_tokens;
    d.repeated.push_back(repeated ? 1 : 0);
    d.ln_u.push_back(r.unique_tokens > 0 ? std::log(r.unique_tokens) : 0.0);
    d.ln_seen.push_back(repeated ? std::log(r.unique_tokens) : std::log(r.tokens));
    d.rd.push_back(repeated ? r.tokens / r.unique_tokens - 1.0 : 0.0);
  }
  return d;
}

// --- The objective, generic in the scalar type (double or ceres::Jet) ----------

using detail::AllFinite;
using detail::Huber;
using detail::Value;

// log(exp(x) + exp(y) + exp(z)), shifted by the largest term for stability.
// log(1 + s) rather than log1p(s): 1 + s lies in [1, 3], so its log has an
// absolute error ~1e-16, as good as log1p's once added to the largest term,
// and glibc's log is about twice as fast (this is the fit's hot loop).
template <typename T>
T LogSumExp3(const T& x, const T& y, const T& z) {
  using std::exp;
  using std::log;
  const double vx = Value(x), vy = Value(y), vz = Value(z);
  if (vx >= vy && vx >= vz) return x + log(1.0 + exp(y - x) + exp(z - x));
  if (vy >= vz) return y + log(1.0 + exp(x - y) + exp(z - y));
  return z + log(1.0 + exp(x - z) + exp(y - z));
}

// p = (log E, log A, log B, α, β, log R_D*, log R_N*). False where the model
// is undefined (the data-constrained form needs α, β > 0).
// `flatten` inlines the Jet arithmetic (Eigen's 5-vector loops are otherwise
// left as calls): the objective is the fit's hot loop, 2x faster inlined.
template <typename T>
[[gnu::flatten]] bool Objective(FitForm form, const RunData& d, double delta, const T* p, T* cost) {
  using std::exp;
  using std::expm1;
  using std::log;
  using std::log1p;
  const T& e = p[0];
  const T& a = p[1];
  const T& b = p[2];
  const T& alpha = p[3];
  const T& beta = p[4];
  T sum(0.0);
  const size_t n = d.size();
  if (form == FitForm::kChinchilla) {
    for (size_t i = 0; i < n; ++i) {
      const T r = LogSumExp3(T(a - alpha * d.ln_n[i]), T(b - beta * d.ln_d[i]), e) - d.ln_l[i];
      sum += Huber(r, delta);
    }
  } else {
    if (!(Value(alpha) > 0) || !(Value(beta) > 0)) return false;
    // log N_opt(U) = (log(αA/(βB)) + β log U) / α: the N whose compute-optimal
    // D is U (MODEL.md §2, law.cpp ComputeOptimalParamsForTokens).
    const T ln_g = log(alpha / beta) + a - b;
    const T rd_star = exp(p[5]);
    const T rn_star = exp(p[6]);
    for (size_t i = 0; i < n; ++i) {
      const T ln_nopt = (ln_g + beta * d.ln_seen[i]) / alpha;
      T ln_np;
      if (d.ln_n[i] <= Value(ln_nopt)) {
        ln_np = T(d.ln_n[i]);  // U_N = N, R_N = 0: N′ = N
      } else {
        // U_N = N_opt, R_N = N/U_N − 1, N′ = U_N (1 + R_N* (1 − exp(−R_N/R_N*))).
        const T rn = expm1(d.ln_n[i] - ln_nopt);
        ln_np = ln_nopt + log1p(-rn_star * expm1(-rn / rn_star));
      }
      T ln_dp;
      if (d.repeated[i]) {
        // D′ = U (1 + R_D* (1 − exp(−R_D/R_D*))).
        ln_dp = d.ln_u[i] + log1p(-rd_star * expm1(-d.rd[i] / rd_star));
      } else {
        ln_dp = T(d.ln_d[i]);
      }
      const T r = LogSumExp3(T(a - alpha * ln_np), T(b - beta * ln_dp), e) - d.ln_l[i];
      sum += Huber(r, delta);
    }
  }
  *cost = sum;
  return AllFinite(sum);
}

// A problem: the runs, the form, and which parameters are free.
struct Problem {
  FitForm form = FitForm::kChinchilla;
  double delta = kDefaultHuberDelta;
  const RunData* data = nullptr;
  FitVector base{};                       // values of the fixed parameters (optimiser space)
  std::array<int, kNumFitParams> slot{};  // index in the free vector, or −1 when fixed
  std::vector<int> free;                  // FitParam indices of the free parameters
};

template <int K>
struct Functor {
  const Problem* pb;
  template <typename T>
  bool operator()(const T* x, T* cost) const {
    T p[kNumFitParams];
    for (int i = 0; i < kNumFitParams; ++i) {
      p[i] = pb->slot[i] >= 0 ? x[pb->slot[i]] : T(pb->base[i]);
    }
    return Objective(pb->form, *pb->data, pb->delta, p, cost);
  }
};

double EvaluateAt(const Problem& pb, const FitVector& x) {
  double cost = 0;
  if (!Objective(pb.form, *pb.data, pb.delta, x.data(), &cost)) {
    return std::numeric_limits<double>::infinity();
  }
  return cost;
}

struct LocalResult {
  FitVector x{};
  double objective = std::numeric_limits<double>::infinity();
};

enum class Phase { kSearch, kPolish };

ceres::GradientProblemSolver::Options SolverOptions(Phase phase) {
  const bool search = phase == Phase::kSearch;
  ceres::GradientProblemSolver::Options o =
      detail::LbfgsOptions(search ? kSearchMaxIterations : kPolishMaxIterations,
                           search ? kSearchFunctionTolerance : kPolishFunctionTolerance,
                           search ? kSearchGradientTolerance : kPolishGradientTolerance,
                           search ? kSearchParameterTolerance : kPolishParameterTolerance);
  o.max_lbfgs_rank = kLbfgsRank;
  // Keep the last accepted iterate even when the line search ends in
  // FAILURE (numerical noise near an optimum): Ceres leaves the caller's
  // parameters untouched on FAILURE unless they are updated every iteration.
  o.update_state_every_iteration = true;
  return o;
}

// Ceres reports some harmless line-search events (e.g. a constant
// interpolating polynomial in a flat region) through glog's WARNING stream,
// whatever logging_type says. The core writes nothing to the console, so keep
// glog to errors. Programs that initialise glog themselves keep their setting
// if it is stricter.
void QuietCeresLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (FLAGS_minloglevel < google::GLOG_ERROR) FLAGS_minloglevel = google::GLOG_ERROR;
  });
}

template <int K>
LocalResult MinimizeK(const Problem& pb, const FitVector& start, Phase phase) {
  double x[K];
  for (int j = 0; j < K; ++j) x[j] = start[pb.free[j]];
  // GradientProblem takes ownership of the function, which owns the functor.
  ceres::GradientProblem problem(
      new ceres::AutoDiffFirstOrderFunction<Functor<K>, K>(new Functor<K>{&pb}));
  ceres::GradientProblemSolver::Summary summary;
  ceres::Solve(SolverOptions(phase), problem, x, &summary);
  LocalResult out;
  out.x = pb.base;
  for (int j = 0; j < K; ++j) out.x[pb.free[j]] = x[j];
  out.objective = EvaluateAt(pb, out.x);
  return out;
}

// MinimizeK<K> for K = pb.free.size(), one instantiation per K in 1..kNumFitParams.
template <int... K>
LocalResult MinimizeFree(const Problem& pb, const FitVector& start, Phase phase,
                         std::integer_sequence<int, K...>) {
  LocalResult out;
  const int k = static_cast<int>(pb.free.size());
  const bool done =
      ((k == K + 1 ? (out = MinimizeK<K + 1>(pb, start, phase), true) : false) || ...);
  assert(done && "at most kNumFitParams free parameters");
  (void)done;
  return out;
}

// One local minimisation from `start` (optimiser space; fixed entries ignored).
LocalResult Minimize(const Problem& pb, const FitVector& start, Phase phase) {
  if (pb.free.empty()) return LocalResult{pb.base, EvaluateAt(pb, pb.base)};
  return MinimizeFree(pb, start, phase, std::make_integer_sequence<int, kNumFitParams>());
}

Problem MakeProblem(const FitOptions& options, const RunData& data) {
  Problem pb;
  pb.form = options.form;
  pb.delta = options.huber_delta;
  pb.data = &data;
  const int used = NumParams(options.form);
  for (int i = 0; i < kNumFitParams; ++i) {
    pb.slot[i] = -1;
    if (i >= used) continue;  // not part of this form: stays 0
    if (options.fixed[i]) {
      pb.base[i] = ToOptimiserSpace(i, *options.fixed[i]);
    } else {
      pb.slot[i] = static_cast<int>(pb.free.size());
      pb.free.push_back(i);
    }
  }
  return pb;
}

int ThreadCount(const FitOptions& options) { return detail::ThreadCount(options.threads); }

MaybeError ValidateRuns(std::span<const FitRun> runs, FitForm form) {
  auto bad = [](double v) { return !std::isfinite(v) || !(v > 0); };
  for (size_t i = 0; i < runs.size(); ++i) {
    const FitRun& r = runs[i];
    const char* field = bad(r.params)   ? "params"
                        : bad(r.tokens) ? "tokens"
                        : bad(r.loss)   ? "loss"
                        : (form == FitForm::kDataConstrained && bad(r.unique_tokens))
                            ? "unique_tokens"
                            : nullptr;
    if (field) {
      const double v = std::string_view(field) == "params"   ? r.params
                       : std::string_view(field) == "tokens" ? r.tokens
                       : std::string_view(field) == "loss"   ? r.loss
                                                             : r.unique_tokens;
      return fmt::format("run {}: {} = {}: must be finite and > 0", i + 1, field, v);
    }
  }
  return std::nullopt;
}

// Linear-interpolation percentile of sorted values (numpy's default method).
double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

ParamSpread Spread(std::vector<double> v) {
  ParamSpread s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.std_error = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  std::sort(v.begin(), v.end());
  s.ci95_low = Percentile(v, 0.025);
  s.ci95_high = Percentile(v, 0.975);
  return s;
}

// Constants in natural units, with each fixed one exactly as given (not
// exp(log(value)), which can differ in the last bit).
FitConstants Constants(const FitVector& x, const FitOptions& options) {
  FitConstants c = ToConstants(x, options.form);
  for (FitParam p : FitParams(options.form)) {
    if (const auto& v = options.fixed[Index(p)]) c.*Info(p).member = *v;
  }
  return c;
}

bool Distinct(const FitVector& x, const FitVector& y) {
  for (int i = 0; i < kNumFitParams; ++i) {
    if (std::abs(x[i] - y[i]) > kDistinctOptimumTol) return true;
  }
  return false;
}

}  // namespace

// --- Names ----------------------------------------------------------------------

std::string_view ToString(FitForm form) {
  return form == FitForm::kChinchilla ? "chinchilla" : "data-constrained";
}

std::optional<FitForm> FitFormFromString(std::string_view name) {
  if (name == "chinchilla") return FitForm::kChinchilla;
  if (name == "data-constrained") return FitForm::kDataConstrained;
  return std::nullopt;
}

std::string_view ToString(FitParam param) { return Info(param).name; }
std::span<const std::string_view> FitParamNames() { return kParamNames; }
std::span<const FitParamInfo> FitParamTable() { return kParams; }
const FitParamInfo& Info(FitParam param) { return kParams[static_cast<size_t>(Index(param))]; }

MaybeError CheckFixed(FitForm form, FitParam param, double value) {
  const FitParamInfo& info = Info(param);
  if (info.data_constrained_only && form != FitForm::kDataConstrained) {
    return fmt::format("{} is a constant of the data-constrained form only (form = {})", info.name,
                       ToString(form));
  }
  if (!std::isfinite(value) || !(value > 0)) {
    return fmt::format("{} must be finite and > 0 (got {})", info.name, value);
  }
  return std::nullopt;
}

std::optional<FitParam> FitParamFromString(std::string_view name) {
  for (FitParam p : kAllParams) {
    if (ToString(p) == name) return p;
  }
  return std::nullopt;
}

int NumParams(FitForm form) {
  int n = 0;
  for (const FitParamInfo& p : kParams)
    n += !p.data_constrained_only || form != FitForm::kChinchilla;
  return n;
}

std::span<const FitParam> FitParams(FitForm form) {
  return std::span<const FitParam>(kAllParams.data(), static_cast<size_t>(NumParams(form)));
}

double Get(const FitConstants& c, FitParam param) { return c.*Info(param).member; }

FitConstants ToConstants(const FitVector& x, FitForm form) {
  FitConstants c;
  for (FitParam p : FitParams(form)) {
    const double v = x[Index(p)];
    c.*Info(p).member = Info(p).log_space ? std::exp(v) : v;
  }
  return c;
}

FitVector ToVector(const FitConstants& c) {
  FitVector x{};
  for (const FitParamInfo& info : kParams) {
    const double v = c.*info.member;
    // Unused R_D*, R_N* (0 in the Chinchilla form) stay 0.
    x[Index(info.param)] = info.log_space ? (v > 0 ? std::log(v) : 0.0) : v;
  }
  return x;
}

double ExponentA(double alpha, double beta) { return beta / (alpha + beta); }
double ExponentB(double alpha, double beta) { return alpha / (alpha + beta); }

std::vector<FitRun> DropHighestLosses(std::span<const FitRun> runs, int k) {
  assert(k >= 0 && static_cast<size_t>(k) <= runs.size());
  std::vector<size_t> order(runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Highest loss first; among equal losses the later run first.
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    if (runs[x].loss != runs[y].loss) return runs[x].loss > runs[y].loss;
    return x > y;
  });
  std::vector<char> drop(runs.size(), 0);
  for (int i = 0; i < k; ++i) drop[order[i]] = 1;
  std::vector<FitRun> out;
  out.reserve(runs.size() - k);
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!drop[i]) out.push_back(runs[i]);
  }
  return out;
}

// --- Options ----------------------------------------------------------------------

MaybeError Validate(const FitOptions& options) {
  if (!std::isfinite(options.huber_delta) || !(options.huber_delta > 0)) {
    return fmt::format("huber_delta = {}: must be finite and > 0", options.huber_delta);
  }
  if (options.max_starts && *options.max_starts <= 0) {
    return fmt::format("starts = {}: must be > 0", *options.max_starts);
  }
  if (options.threads < 0) return fmt::format("threads = {}: must be >= 0", options.threads);
  for (FitParam p : kAllParams) {
    const auto& v = options.fixed[Index(p)];
    if (!v) continue;
    if (MaybeError e = CheckFixed(options.form, p, *v)) return e;
  }
  return std::nullopt;
}

std::vector<FitVector> StartGrid(const FitOptions& options) {
  const bool dc = options.form == FitForm::kDataConstrained;
  // One list of start values per parameter; a fixed one collapses to its value.
  std::array<std::vector<double>, kNumFitParams> values;
  for (const FitParamInfo& info : kParams) {
    const int i = Index(info.param);
    std::vector<double>& v = values[i];
    if (info.data_constrained_only && !dc) {
      v = {0.0};  // not part of the form
    } else if (options.fixed[i]) {
      v = {ToOptimiserSpace(i, *options.fixed[i])};
    } else {
      for (double g : dc ? info.starts_data_constrained : info.starts_chinchilla) {
        v.push_back(info.starts_natural ? std::log(g) : g);
      }
    }
  }
  // Nesting order of fit_scipy.py (kNesting): alpha, beta, e, a, b; then log
  // R_D*, log R_N*.
  size_t total = 1;
  for (const auto& v : values) total *= v.size();
  if (options.max_starts) total = std::min(total, static_cast<size_t>(*options.max_starts));
  std::vector<FitVector> grid;
  grid.reserve(total);
  std::array<size_t, kNumFitParams> counter{};  // odometer over kNesting, last fastest
  for (size_t k = 0; k < total; ++k) {
    FitVector x{};
    for (int j = 0; j < kNumFitParams; ++j) {
      const int p = Index(kNesting[j]);
      x[p] = values[p][counter[j]];
    }
    grid.push_back(x);
    for (int j = kNumFitParams - 1; j >= 0; --j) {
      if (++counter[j] < values[Index(kNesting[j])].size()) break;
      counter[j] = 0;
    }
  }
  return grid;
}

// --- Objective for tests -------------------------------------------------------------

double FitObjective(FitForm form, std::span<const FitRun> runs, double huber_delta,
                    const FitVector& x, FitVector* gradient) {
  const RunData data = Prepare(runs);
  FitOptions all_free;
  all_free.form = form;
  all_free.huber_delta = huber_delta;
  Problem pb = MakeProblem(all_free, data);
  if (gradient == nullptr) return EvaluateAt(pb, x);
  gradient->fill(0.0);
  double cost = 0;
  std::array<double, kNumFitParams> g{};
  bool ok = false;
  if (form == FitForm::kChinchilla) {
    ceres::AutoDiffFirstOrderFunction<Functor<5>, 5> f(new Functor<5>{&pb});
    ok = f.Evaluate(x.data(), &cost, g.data());
  } else {
    ceres::AutoDiffFirstOrderFunction<Functor<7>, 7> f(new Functor<7>{&pb});
    ok = f.Evaluate(x.data(), &cost, g.data());
  }
  if (!ok) return std::numeric_limits<double>::infinity();
  for (int i = 0; i < NumParams(form); ++i) (*gradient)[i] = g[i];
  return cost;
}

// --- Fit -----------------------------------------------------------------------------------

Expected<FitResult> Fit(std::span<const FitRun> runs, const FitOptions& options,
                        const FitProgress& progress) {
  if (auto err = Validate(options)) return Error{*err};
  if (auto err = ValidateRuns(runs, options.form)) return Error{*err};
  const RunData data = Prepare(runs);
  const Problem pb = MakeProblem(options, data);
  if (runs.size() < pb.free.size()) {
    return Error{fmt::format("{} runs cannot determine {} free constants: need at least {}",
                             runs.size(), pb.free.size(), pb.free.size())};
  }
  if (const int points = DistinctPoints(runs, options.form);
      points < static_cast<int>(pb.free.size())) {
    return Error{fmt::format(
        "{} runs at {} distinct (params, tokens{}) point{} cannot determine {} free constants: "
        "give runs at {} or more distinct points, or fix some constants",
        runs.size(), points, options.form == FitForm::kDataConstrained ? ", unique_tokens" : "",
        points == 1 ? "" : "s", pb.free.size(), pb.free.size())};
  }
  QuietCeresLogging();
  const std::vector<FitVector> grid = StartGrid(options);
  const int threads = ThreadCount(options);
  std::vector<LocalResult> local = detail::MinimiseAll(grid, threads, [&](const FitVector& s) {
    LocalResult r = Minimize(pb, s, Phase::kSearch);
    if (progress) progress();
    return r;
  });
  // Polish every start that ended near the best (see kPolishMargin).
  double search_best = std::numeric_limits<double>::infinity();
  for (const LocalResult& r : local) search_best = std::min(search_best, r.objective);
  std::vector<int> polish;
  for (int i = 0; i < static_cast<int>(local.size()); ++i) {
    // The absolute term covers exact data, where the best objective is ~0.
    const double limit = search_best * (1.0 + kPolishMargin) + kSameOptimumTol;
    if (std::isfinite(local[i].objective) && local[i].objective <= limit) {
      polish.push_back(i);
    }
  }
  const std::vector<LocalResult> polished = detail::MinimiseAll(
      polish, threads, [&](int i) { return Minimize(pb, local[i].x, Phase::kPolish); });
  for (size_t k = 0; k < polish.size(); ++k) {
    if (polished[k].objective <= local[polish[k]].objective) local[polish[k]] = polished[k];
  }

  FitResult out;
  out.form = options.form;
  out.runs = static_cast<int>(runs.size());
  out.starts = static_cast<int>(grid.size());
  auto objective = [](const LocalResult& r) { return r.objective; };
  out.failed_starts =
      static_cast<int>(std::count_if(local.begin(), local.end(), [](const LocalResult& r) {
        return !std::isfinite(r.objective);
      }));
  const std::optional<size_t> best = detail::BestIndex(local, objective);
  if (!best) {
    return Error{fmt::format("no start of {} reached a finite objective", out.starts)};
  }
  out.best_start = static_cast<int>(*best);
  out.x = local[*best].x;
  out.objective = local[*best].objective;
  out.constants = Constants(out.x, options);
  out.exponent_a = ExponentA(out.constants.alpha, out.constants.beta);
  out.exponent_b = ExponentB(out.constants.alpha, out.constants.beta);
  for (FitParam p : {FitParam::kRdStar, FitParam::kRnStar}) {
    if (options.form != FitForm::kDataConstrained || options.fixed[Index(p)]) continue;
    const double v = Get(out.constants, p);
    if (v > kRunawayDecayScale) {
      out.warnings.push_back(fmt::format(
          "{} = {:.3g} ran beyond {:.0e}: the runs cannot tell it from infinity ({}); consider "
          "holding {} fixed",
          ToString(p), v, kRunawayDecayScale,
          p == FitParam::kRdStar ? "repeated tokens count as fresh in every run"
                                 : "excess parameters count in full in every run",
          ToString(p)));
    }
  }
  for (std::string& w : ImplausibleFit(out.constants, options))
    out.warnings.push_back(std::move(w));
  // Every finite objective is >= the best, so |r − best| is r − best here.
  out.converged_to_best = detail::CountWithin(local, objective, out.objective, kSameOptimumTol);
  // Runner-up optima for the bootstrap: best objective first, ties by index.
  std::vector<int> order;
  for (int i = 0; i < out.starts; ++i) {
    if (std::isfinite(local[i].objective)) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return local[x].objective < local[y].objective; });
  std::vector<FitVector> chosen = {out.x};
  for (int i : order) {
    if (static_cast<int>(out.runner_up_optima.size()) >= kBootstrapExtraStarts) break;
    const FitVector& x = local[i].x;
    if (std::all_of(chosen.begin(), chosen.end(),
                    [&](const FitVector& c) { return Distinct(x, c); })) {
      chosen.push_back(x);
      out.runner_up_optima.push_back(x);
    }
  }
  return out;
}

int DistinctPoints(std::span<const FitRun> runs, FitForm form) {
  std::vector<std::array<double, 3>> points;
  for (const FitRun& r : runs) {
    points.push_back(
        {r.params, r.tokens, form == FitForm::kDataConstrained ? r.unique_tokens : 0.0});
  }
  std::sort(points.begin(), points.end());
  return static_cast<int>(std::unique(points.begin(), points.end()) - points.begin());
}

LawDomain DomainOfRuns(std::span<const FitRun> runs) {
  const double inf = std::numeric_limits<double>::infinity();
  LawDomain d{inf, -inf, inf, -inf, inf, -inf, inf, -inf, -inf, ""};
  for (const FitRun& r : runs) {
    const double u = r.unique_tokens > 0 ? r.unique_tokens : r.tokens;
    d.params_min = std::min(d.params_min, r.params);
    d.params_max = std::max(d.params_max, r.params);
    d.tokens_min = std::min(d.tokens_min, r.tokens);
    d.tokens_max = std::max(d.tokens_max, r.tokens);
    d.unique_tokens_min = std::min(d.unique_tokens_min, u);
    d.unique_tokens_max = std::max(d.unique_tokens_max, u);
    const double epochs = std::max(1.0, r.tokens / u);
    d.epochs_min = std::min(d.epochs_min, epochs);
    d.epochs_max = std::max(d.epochs_max, epochs);
    d.params_per_unique_token_max = std::max(d.params_per_unique_token_max, r.params / u);
  }
  return d;
}

std::string DomainLine(const LawDomain& d) {
  return fmt::format(
      "params {:.3g}-{:.3g}, tokens {:.3g}-{:.3g}, unique tokens {:.3g}-{:.3g}, epochs "
      "{:.3g}-{:.3g}",
      d.params_min, d.params_max, d.tokens_min, d.tokens_max, d.unique_tokens_min,
      d.unique_tokens_max, d.epochs_min, d.epochs_max);
}

std::vector<std::string> ImplausibleFit(const FitConstants& c, const FitOptions& options) {
  std::vector<std::string> out;
  auto free = [&](FitParam p) { return !options.fixed[Index(p)]; };
  for (FitParam p : {FitParam::kAlpha, FitParam::kBeta}) {
    if (!free(p)) continue;
    const double v = Get(c, p);
    if (v < 0) {
      out.push_back(fmt::format(
          "{} = {:.4g}: a negative exponent, the loss would rise with more {}: the runs do not "
          "support this law (too few runs, or values that are not losses)",
          ToString(p), v, p == FitParam::kAlpha ? "parameters" : "data"));
    } else if (v > kImplausibleExponent) {
      out.push_back(fmt::format(
          "{} = {:.4g}: an exponent above {:g} (published fits: 0.07-0.5): the runs do not pin it",
          ToString(p), v, kImplausibleExponent));
    }
  }
  for (FitParam p : {FitParam::kE, FitParam::kA, FitParam::kB}) {
    if (!free(p)) continue;
    const double v = Get(c, p);
    if (!(v > 1e-30) || v > 1e30) {
      out.push_back(
          fmt::format("{} = {:.4g}: at the edge of what a double holds: the runs do not "
                      "pin it",
                      ToString(p), v));
    }
  }
  return out;
}

std::optional<std::string> BootstrapFailureWarning(int failed, int resamples) {
  if (resamples <= 0 || !(failed > kBootstrapFailureWarnShare * resamples)) return std::nullopt;
  return fmt::format(
      "{} of {} bootstrap refits failed (more than {:g} %): the intervals rest on the resamples "
      "that happened to fit and understate the uncertainty; the runs barely pin the constants",
      failed, resamples, 100 * kBootstrapFailureWarnShare);
}

// --- Bootstrap --------------------------------------------------------------------------

namespace {
// SplitMix64's output function (Steele, Lea & Flood 2014, "Fast splittable
// pseudorandom number generators"): a bijection of 64-bit integers that
// scatters neighbouring inputs.
uint64_t SplitMix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

uint64_t BootstrapSeed(uint64_t seed, uint64_t index) {
  return SplitMix64(SplitMix64(seed) + index);
}

std::vector<size_t> ResampleIndices(uint64_t seed, uint64_t index, size_t n) {
  // mt19937_64's output sequence is fixed by the standard, and `draw mod n`
  // (bias < n / 2^64) avoids std::uniform_int_distribution, whose algorithm is
  // implementation-defined.
  std::mt19937_64 rng(BootstrapSeed(seed, index));
  std::vector<size_t> out(n);
  for (size_t k = 0; k < n; ++k) out[k] = rng() % n;
  return out;
}

Expected<BootstrapResult> Bootstrap(std::span<const FitRun> runs, const FitOptions& options,
                                    const FitResult& full, int resamples, uint64_t seed,
                                    const FitProgress& progress) {
  if (auto err = Validate(options)) return Error{*err};
  if (auto err = ValidateRuns(runs, options.form)) return Error{*err};
  if (resamples <= 0) return Error{fmt::format("bootstrap = {}: must be > 0", resamples)};
  if (runs.empty()) return Error{"no runs to resample"};
  QuietCeresLogging();
  std::vector<FitVector> starts = {full.x};
  starts.insert(starts.end(), full.runner_up_optima.begin(), full.runner_up_optima.end());

  detail::BootstrapFits<FitConstants> fits = detail::RunBootstrap(
      runs, resamples, seed, ThreadCount(options),
      [&](const std::vector<FitRun>& sample) -> std::optional<FitConstants> {
        const RunData data = Prepare(sample);
        const Problem pb = MakeProblem(options, data);
        // As in Fit: search from each start (one thread: the resamples run in
        // parallel), polish the best.
        const std::vector<LocalResult> local = detail::MinimiseAll(
            starts, 1, [&](const FitVector& s) { return Minimize(pb, s, Phase::kSearch); });
        const std::optional<size_t> i =
            detail::BestIndex(local, [](const LocalResult& r) { return r.objective; });
        std::optional<FitConstants> out;
        if (i) {
          LocalResult best = local[*i];
          LocalResult polished = Minimize(pb, best.x, Phase::kPolish);
          if (polished.objective <= best.objective) best = polished;
          if (std::isfinite(best.objective)) out = Constants(best.x, options);
        }
        if (progress) progress();
        return out;
      });

  BootstrapResult out;
  out.resamples = resamples;
  out.seed = seed;
  out.failed = fits.failed;
  out.samples = std::move(fits.fits);
  if (out.samples.empty()) return Error{fmt::format("all {} bootstrap refits failed", resamples)};
  if (auto w = BootstrapFailureWarning(out.failed, resamples)) out.warnings.push_back(*w);
  for (FitParam p : FitParams(options.form)) {
    if (options.fixed[Index(p)]) {
      const double v = *options.fixed[Index(p)];
      out.params[Index(p)] = ParamSpread{v, 0.0, v, v};
      continue;
    }
    std::vector<double> v;
    v.reserve(out.samples.size());
    for (const FitConstants& c : out.samples) v.push_back(Get(c, p));
    out.params[Index(p)] = Spread(std::move(v));
  }
  std::vector<double> ea, eb;
  for (const FitConstants& c : out.samples) {
    ea.push_back(ExponentA(c.alpha, c.beta));
    eb.push_back(ExponentB(c.alpha, c.beta));
  }
  out.exponent_a = Spread(std::move(ea));
  out.exponent_b = Spread(std::move(eb));
  return out;
}

}  // namespace repsim
